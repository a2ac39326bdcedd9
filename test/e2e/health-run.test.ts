/**
 * `ballast health run` as a real process against real local endpoints: snapshots over HTTP, a
 * failing endpoint detected, a bad config edit refused while the monitor keeps running, a good
 * edit applied as a new layout; and a consumer that keeps the last state when the publisher is
 * killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotConsumer } from '../../src/health/snapshot-consumer.js';
import type { HealthLayout } from '../../src/health/types.js';
import { waitFor } from '../helpers/ballast.js';
import { freeLowPort } from '../helpers/private-pg.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('ballast health run (a real process)', () => {
  let healthy: Server;
  let failing: Server;
  const urls: Record<string, string> = {};
  beforeAll(async () => {
    const listen = async (status: number) => {
      const s = createServer((_req, res) =>
        res.writeHead(status).end(status === 200 ? 'ok' : 'down'),
      );
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return s;
    };
    healthy = await listen(200);
    failing = await listen(500);
    urls.healthy = `http://127.0.0.1:${(healthy.address() as AddressInfo).port}/health`;
    urls.failing = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/health`;
  });
  afterAll(() => {
    healthy.close();
    failing.close();
  });

  it('serves snapshots, refuses a bad edit, applies a good one; a consumer survives the publisher being killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-health-run-'));
    const configPath = join(dir, 'health.json');
    // A probe timeout a loaded machine does not reach for a local endpoint that answers (with
    // 100 ms, two slow answers in a row made the healthy endpoint unhealthy).
    const config = (endpoints: object[]) => ({
      intervalMs: 500,
      timeoutMs: 400,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
      monitorId: 'e2e',
      endpoints,
    });
    writeFileSync(
      configPath,
      JSON.stringify(
        config([
          { id: 'a', url: urls.healthy },
          { id: 'b', url: urls.failing },
        ]),
      ),
    );
    const port = await freeLowPort(27_100);
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'health', 'run', '--config', configPath, '--port', String(port)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    const consumer = new SnapshotConsumer({ monitorId: 'e2e' });
    const poll = async (): Promise<boolean> => {
      const [snap, layout] = await Promise.all([
        fetch(`${base}/v1/health/snapshot`),
        fetch(`${base}/v1/health/layout`),
      ]);
      if (!snap.ok || !layout.ok) return false;
      const result = consumer.apply(
        new Uint8Array(await snap.arrayBuffer()),
        (await layout.json()) as HealthLayout,
      );
      return result.applied;
    };
    try {
      await waitFor(
        async () => (await poll().catch(() => false)) && consumer.state('b') === 'unhealthy',
        20_000,
      );
      expect(consumer.state('a')).toBe('healthy');
      const view = (await (await fetch(`${base}/v1/health/snapshot.json`)).json()) as {
        endpoints: { id: string; state: string }[];
      };
      expect(view.endpoints).toEqual([
        { id: 'a', state: 'healthy' },
        { id: 'b', state: 'unhealthy' },
      ]);
      // A bad edit: reported, the monitor keeps its config and keeps publishing.
      writeFileSync(configPath, JSON.stringify({ ...config([]), intervalMs: 'fast' }));
      await waitFor(
        async () =>
          (
            (await (await fetch(`${base}/v1/health/status`)).json()) as {
              configError: string | null;
            }
          ).configError !== null,
        10_000,
      );
      expect(stderr).toMatch(/intervalMs/);
      const before = consumer.snapshot!.sequence;
      await waitFor(
        async () => (await poll().catch(() => false)) && consumer.snapshot!.sequence > before + 1,
        10_000,
      );
      // A good edit with another endpoint: a new layout.
      writeFileSync(
        configPath,
        JSON.stringify(
          config([
            { id: 'a', url: urls.healthy },
            { id: 'b', url: urls.failing },
            { id: 'c', url: urls.healthy },
          ]),
        ),
      );
      await waitFor(
        async () =>
          (await poll().catch(() => false)) &&
          consumer.layout?.ids.length === 3 &&
          consumer.state('c') === 'healthy',
        15_000,
      );
      // The publisher is killed: the consumer keeps serving the last state.
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      expect(await poll().catch(() => 'unreachable')).toBe('unreachable');
      expect([consumer.state('a'), consumer.state('b'), consumer.state('c')]).toEqual([
        'healthy',
        'unhealthy',
        'healthy',
      ]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 60_000);
});
