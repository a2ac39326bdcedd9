/**
 * The built `ballast` binary (issue 14): serve exits non-zero on any startup error; trace shows
 * bus and rule names; a completed replay's bar ends at 100 %; explain --rule fills the envelope;
 * health show lists the unhealthy endpoints under the grid.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { BUILT_CLI, ensureBuilt, runBuilt } from '../helpers/built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-built-'));
let holder: Server;
let heldPort: number;

beforeAll(async () => {
  await ensureBuilt();
  // Probes of it end with a reset (no TIME_WAIT): the accepted side must not throw on it.
  holder = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  heldPort = (holder.address() as AddressInfo).port;
}, 120_000);
afterAll(async () => {
  await new Promise<void>((r) => holder.close(() => r()));
});

describe('ballast serve startup errors (built binary)', () => {
  it('exits 1 with one clear line when its port is taken', async () => {
    const r = await runBuilt([
      'serve',
      '--port',
      String(heldPort),
      '--store',
      `sqlite:${tempDbPath()}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `ballast serve: port ${heldPort} on 127.0.0.1 is already in use: stop what listens there or choose another --port. Not starting.`,
    );
  });

  it('exits when the port is taken while a health monitor already runs', async () => {
    const config = join(dir, 'health.json');
    writeFileSync(
      config,
      JSON.stringify({
        intervalMs: 1000,
        timeoutMs: 100,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        endpoints: [{ id: 'nobody', tcp: '127.0.0.1:1' }],
      }),
    );
    const r = await runBuilt([
      'serve',
      '--port',
      String(heldPort),
      '--health',
      config,
      '--store',
      `sqlite:${tempDbPath()}`,
    ]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('already in use')]);
  });

  it('exits 2 for a bad store URL or flag, 1 for a store it cannot read', async () => {
    const badUrl = await runBuilt(['serve', '--port', '0', '--store', 'mysql://x']);
    expect([badUrl.code, badUrl.stderr]).toEqual([2, expect.stringContaining('InvalidStoreUrl')]);
    const badFlag = await runBuilt(['serve', '--port', 'many']);
    expect([badFlag.code, badFlag.stderr]).toEqual([2, expect.stringContaining('--port')]);
    const unknown = await runBuilt(['serve', '--bogus']);
    expect(unknown.code).toBe(2);
    const garbage = join(dir, 'not-a-db.db');
    writeFileSync(
      garbage,
      'this is not a database, just text that is long enough to matter\n'.repeat(200),
    );
    const unreadable = await runBuilt(['serve', '--port', '0', '--store', `sqlite:${garbage}`]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('still creates its default store in an empty directory (npm start on a fresh machine)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ballast-serve-'));
    // A taken port makes it stop right after opening the store.
    const r = await runBuilt(['serve', '--port', String(heldPort)], {
      cwd,
      env: { BALLAST_STORE: undefined },
    });
    expect(r.code).toBe(1);
    expect(spawnSync('ls', [join(cwd, '.ballast')], { encoding: 'utf8' }).stdout).toContain(
      'ballast.db',
    );
  });
});

describe('ballast events (built binary)', () => {
  const store = `sqlite:${tempDbPath()}`;
  let eventId = '';

  beforeAll(async () => {
    const b = await openBallast({ store, retentionSweepMs: 0, bus: { background: false } });
    try {
      await b.queues.create('sink');
      await b.bus.createEventBus('shop-bus');
      await b.bus.putRule('big-orders', {
        eventBusName: 'shop-bus',
        eventPattern: { source: ['shop'], detail: { total: [{ numeric: ['>', 100] }] } },
      });
      await b.bus.putTargets('big-orders', [{ id: 'to-sink', arn: b.queues.arn('sink') }], {
        eventBusName: 'shop-bus',
      });
      await b.bus.archives.create('everything', b.bus.busArn('shop-bus'));
      const put = await b.bus.putEvents([
        { source: 'shop', detailType: 'Order', detail: { total: 250 }, eventBusName: 'shop-bus' },
      ]);
      const [entry] = put.entries;
      eventId = entry && 'eventId' in entry ? entry.eventId : '';
      await b.bus.dispatchOnce();
    } finally {
      await b.close();
    }
  });

  it('trace names the bus and the rule, not their numeric ids', async () => {
    const r = await runBuilt(['events', 'trace', eventId, '--store', store]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`event ${eventId} on bus shop-bus, dispatched, 1 deliveries`);
    expect(r.stdout).toMatch(/\nbig-orders\s+to-sink\s+delivered\s+/);
    const json = await runBuilt(['events', 'trace', eventId, '--json', '--store', store]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      busName: 'shop-bus',
      deliveries: [{ ruleName: 'big-orders', targetId: 'to-sink' }],
    });
  });

  it('explain --rule fills in id, account, time and region like the bus', async () => {
    const file = join(dir, 'event.json');
    const explain = (event: unknown) => {
      writeFileSync(file, JSON.stringify(event));
      return runBuilt([
        'events',
        'explain',
        '--rule',
        'big-orders',
        '--bus',
        'shop-bus',
        `@${file}`,
        '--store',
        store,
      ]);
    };
    const r = await explain({ source: 'shop', 'detail-type': 'Order', detail: { total: 250 } });
    expect([r.code, r.stdout.split('\n')[0], r.stderr]).toEqual([0, 'big-orders: match', '']);
    const no = await explain({ source: 'shop', 'detail-type': 'Order', detail: { total: 5 } });
    expect([no.code, no.stdout.split('\n')[0]]).toEqual([1, 'big-orders: no match']);
    // What a publisher must give is still required: an event without detail-type is bad input.
    const bad = await explain({ source: 'shop', detail: {} });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('detail-type')]);
  });

  it('the replay progress bar ends at 100% when the replay is COMPLETED (on a terminal)', () => {
    // `script` gives the binary a terminal, so it draws its bar as a user sees it.
    const command = `"${process.execPath}" "${BUILT_CLI}" events replay everything --from 0 --to ${Date.now() + 60_000} --name again --store "${store}"`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const frames = r.stdout.split('\r').filter((f) => f.includes('%'));
    expect(frames.at(-1)).toMatch(/^\[#{30}\] 100% 1\/1/);
    expect(r.stdout).toContain('COMPLETED: replayed 1 events');
  });
});

describe('ballast health show (built binary)', () => {
  it('lists the unhealthy endpoints by id under the grid', async () => {
    const view = {
      monitorId: 'checker-1',
      sequence: 7,
      time: '2026-12-08T00:00:00.000Z',
      counts: { healthy: 2, unhealthy: 2, unknown: 1 },
      endpoints: [
        { id: 'api-1', state: 'healthy' },
        { id: 'api-2', state: 'unhealthy' },
        { id: 'db-1', state: 'healthy' },
        { id: 'db-2', state: 'unhealthy' },
        { id: 'cache-1', state: 'unknown' },
      ],
      lastErrors: { 'api-2': 'status 503' },
    };
    const server = createHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view)),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await runBuilt(['health', 'show', '--url', url, '--once']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').slice(1)).toEqual([
        '●✕●✕·',
        'unhealthy (2):',
        '  ✕ api-2  status 503',
        '  ✕ db-2',
        '',
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('ballast health run + show (built binary)', () => {
  it('shows which endpoint failed and why', async () => {
    const config = join(dir, 'health-run.json');
    writeFileSync(
      config,
      JSON.stringify({
        intervalMs: 200,
        timeoutMs: 150,
        healthyThreshold: 1,
        unhealthyThreshold: 1,
        endpoints: [
          { id: 'up', tcp: `127.0.0.1:${heldPort}` },
          { id: 'refusing', tcp: '127.0.0.1:1' },
        ],
      }),
    );
    const monitor = spawn(
      process.execPath,
      [BUILT_CLI, 'health', 'run', '--config', config, '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => monitor.on('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        monitor.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /snapshots on (http:\/\/\S+)\/v1\/health\/snapshot/.exec(err);
          if (m) resolve(m[1]!);
        });
        monitor.on('exit', (code) => reject(new Error(`health run exited ${code}: ${err}`)));
      });
      // The first snapshot may come before the first probes have settled: ask until one has.
      let shown = { code: null as number | null, stdout: '', stderr: '' };
      await waitFor(async () => {
        shown = await runBuilt(['health', 'show', '--url', url, '--once']);
        return shown.stdout.includes('unhealthy (');
      });
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/\nunhealthy \(1\):\n {2}✕ refusing {2}\S/);
      expect(shown.stdout).toMatch(/ECONNREFUSED|refused/i);
    } finally {
      monitor.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
