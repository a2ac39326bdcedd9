/**
 * The config-file service (reloads: unchanged, applied as a new layout, applied as a new monitor
 * when timing changes, refused with the running config kept), the server's /v1/health routes,
 * and the CLI grid.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderGrid } from '../../src/cli/commands/health.js';
import { snapshotEvent } from '../../src/health/bus-events.js';
import { decodeSnapshot, encodeSnapshot } from '../../src/health/snapshot.js';
import { HealthService } from '../../src/health/service.js';
import { createApp } from '../../src/server/app.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast } from '../helpers/ballast.js';

const config = (extra: object, ids = ['a', 'b']) => ({
  intervalMs: 1_000,
  timeoutMs: 200,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
  endpoints: ids.map((id) => ({ id, tcp: '127.0.0.1:1' })),
  ...extra,
});

describe('HealthService', () => {
  let service: HealthService | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('reloads its config file: unchanged, new layout, new monitor on a timing change, refused bad edits', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ballast-health-svc-')), 'health.json');
    writeFileSync(path, JSON.stringify(config({})));
    const errors: string[] = [];
    service = await HealthService.start({
      configPath: path,
      clock: new FakeClock(),
      onError: (m) => errors.push(m),
    });
    const first = service.monitor;
    expect(await service.reload()).toBe('unchanged');
    writeFileSync(path, JSON.stringify(config({}, ['a', 'b', 'c'])));
    expect(await service.reload()).toBe('applied');
    expect(service.monitor).toBe(first); // endpoints only: the same monitor, a new layout at its next tick
    writeFileSync(path, JSON.stringify(config({ intervalMs: 2_000 }, ['a', 'b', 'c'])));
    expect(await service.reload()).toBe('applied');
    expect(service.monitor).not.toBe(first);
    expect(service.config.intervalMs).toBe(2_000);
    writeFileSync(path, JSON.stringify(config({ timeoutMs: 5_000 })));
    expect(await service.reload()).toBe('refused');
    expect(service.configError).toMatch(/timeoutMs/);
    expect(errors.at(-1)).toMatch(/the running one stays/);
    expect(service.config.intervalMs).toBe(2_000);
    writeFileSync(path, '{ not json');
    expect(await service.reload()).toBe('refused');
    expect(service.configError).toMatch(/JSON/i);
  });

  it('refuses to start on an invalid config, naming every problem', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ballast-health-svc-')), 'health.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...config({}),
        intervalMs: -1,
        endpoints: [{ id: 'x', url: 'ftp://nope' }],
      }),
    );
    await expect(HealthService.start({ configPath: path, clock: new FakeClock() })).rejects.toThrow(
      /intervalMs[\s\S]*endpoints\[0\]\.url/,
    );
  });
});

describe('server /v1/health routes', () => {
  it('serve the layout, and 503 with Retry-After before the first snapshot', async () => {
    const ballast = await openTestBallast();
    const layout = { version: 7, ids: ['a', 'b'] };
    const app = createApp(ballast, {
      health: () => ({ last: undefined, layout, intervalMs: 1_000 }),
    });
    try {
      expect(await (await app.request('/v1/health/layout')).json()).toEqual(layout);
      const snap = await app.request('/v1/health/snapshot');
      expect(snap.status).toBe(503);
      expect(snap.headers.get('retry-after')).toBe('1');
      expect((await app.request('/v1/health/status')).status).toBe(503);
      // Without the option, the routes are not there.
      const plain = createApp(ballast);
      expect((await plain.request('/v1/health/layout')).status).toBe(404);
      await plain.close();
    } finally {
      await app.close();
      await ballast.close();
    }
  });
});

describe('ballast health show: the grid', () => {
  it('draws one mark per endpoint, in rows, under a header with the counts', () => {
    const view = {
      monitorId: 'm',
      sequence: 3,
      time: '2026-01-01T00:00:00.000Z',
      counts: { healthy: 2, unhealthy: 1, unknown: 1 },
      endpoints: [
        { id: 'a', state: 'healthy' as const },
        { id: 'b', state: 'unhealthy' as const },
        { id: 'c', state: 'unknown' as const },
        { id: 'd', state: 'healthy' as const },
      ],
    };
    expect(renderGrid(view, 3, false)).toBe(
      'm  #3  2026-01-01T00:00:00.000Z  ● 2 healthy  ✕ 1 unhealthy  · 1 unknown\n●✕·\n●',
    );
    expect(renderGrid(view, 3, true)).toContain('\x1b[31m✕\x1b[0m');
  });
});

describe('snapshots on the event bus', () => {
  it('a snapshot event matches a rule on its source and carries the exact snapshot bytes', async () => {
    const ballast = await openTestBallast();
    try {
      const q = await ballast.queues.create('health-events');
      await ballast.bus.putRule('snapshots', {
        eventPattern: { source: ['ballast.health'], detail: { monitorId: ['m-1'] } },
      });
      await ballast.bus.putTargets('snapshots', [
        { id: 'q', arn: ballast.queues.arn('health-events'), inputPath: '$.detail' },
      ]);
      const snapshot = {
        formatVersion: 1,
        monitorId: 'm-1',
        epoch: 5,
        sequence: 9,
        timeMs: 1_700_000_000_000,
        layoutVersion: 42,
        states: Uint8Array.from([1, 2, 0, 1, 1]),
      };
      const bytes = encodeSnapshot(snapshot);
      const put = await ballast.bus.putEvents([snapshotEvent(bytes, snapshot)]);
      expect(put.failedEntryCount).toBe(0);
      await ballast.bus.dispatchOnce();
      const [message] = await q.receive({ maxMessages: 1 });
      const detail = JSON.parse(message!.body) as {
        snapshot: string;
        sequence: number;
        endpointCount: number;
      };
      expect(detail.sequence).toBe(9);
      expect(detail.endpointCount).toBe(5);
      expect(decodeSnapshot(Buffer.from(detail.snapshot, 'base64'))).toEqual(decodeSnapshot(bytes));
    } finally {
      await ballast.close();
    }
  });
});
