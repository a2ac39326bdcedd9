/**
 * Every long-lived object supports `await using`: leaving the block runs its idempotent
 * close/stop, which the lifecycle registry sees as the object no longer running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runningObjects } from '../../src/core/lifecycle.js';
import { AggregateService } from '../../src/health/aggregate-service.js';
import { ConfigPublisher, ConfigSubscriber, fileChannel } from '../../src/health/config-push.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import { HealthService } from '../../src/health/service.js';
import { createIdempotency } from '../../src/idempotency/idempotency.js';
import { createApp } from '../../src/server/app.js';
import { startServer } from '../../src/server/serve.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast, tempDbPath } from '../helpers/ballast.js';

const kinds = (): string[] => runningObjects().map((o) => o.kind);
const dir = mkdtempSync(join(tmpdir(), 'ballast-dispose-'));

describe('await using closes each kind of long-lived object', () => {
  it('Ballast, its event bus background work, its move-task watcher and a queue consumer', async () => {
    {
      await using ballast = await openTestBallast();
      const queue = await ballast.queues.create('disposed');
      await using consumer = queue.consume(async () => undefined, { waitTimeSeconds: 0 });
      expect(consumer.running).toBe(true);
      expect(kinds()).toEqual(
        expect.arrayContaining([
          'ballast (store and retention sweeper)',
          'event bus background work',
          'move-task watcher',
          'queue consumer (disposed)',
        ]),
      );
    }
    expect(kinds()).toEqual([]);
  });

  it('the event bus, replays and move tasks on their own', async () => {
    const ballast = await openTestBallast();
    {
      await using bus = ballast.bus;
      await using replays = ballast.bus.replays;
      await using moveTasks = ballast.queues.moveTasks;
      expect(
        [bus, replays, moveTasks].every((o) => typeof o[Symbol.asyncDispose] === 'function'),
      ).toBe(true);
    }
    expect(kinds()).toEqual(['ballast (store and retention sweeper)']);
    await ballast.close();
    expect(kinds()).toEqual([]);
  });

  it('servers: startServer and createApp', async () => {
    await using ballast = await openTestBallast();
    {
      await using server = await startServer({ ballast, port: 0 });
      await using app = createApp(ballast);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await app.request('/healthz')).status).toBe(200);
      expect(kinds()).toEqual(
        expect.arrayContaining([`server (${server.url})`, 'server app (createApp)']),
      );
    }
    expect(kinds().filter((k) => k.startsWith('server'))).toEqual([]);
  });

  it('health: monitor, aggregate service, config publisher and subscriber, service', async () => {
    const clock = new FakeClock();
    const path = join(dir, 'health.json');
    writeFileSync(
      path,
      JSON.stringify({
        intervalMs: 1_000,
        timeoutMs: 200,
        healthyThreshold: 1,
        unhealthyThreshold: 1,
        endpoints: [{ id: 'a', tcp: '127.0.0.1:1' }],
      }),
    );
    {
      await using monitor = new HealthMonitor({
        intervalMs: 1_000,
        timeoutMs: 100,
        healthyThreshold: 1,
        unhealthyThreshold: 1,
        endpoints: [{ id: 'a', probe: async () => ({ ok: true, ms: 0 }) }],
        clock,
        monitorId: 'disposed',
      });
      await using aggregate = new AggregateService({
        checkers: ['http://127.0.0.1:1'],
        clock,
        intervalMs: 1_000,
        timeoutMs: 100,
      });
      await using publisher = new ConfigPublisher({
        load: () => ({ a: 1 }),
        channel: fileChannel(join(dir, 'push.json')),
        clock,
        intervalMs: 1_000,
      });
      await using subscriber = new ConfigSubscriber({
        channel: fileChannel(join(dir, 'push.json')),
        validate: (d) => d,
        clock,
        intervalMs: 1_000,
      });
      await using service = await HealthService.start({ configPath: path, clock });
      for (const o of [monitor, aggregate, publisher, subscriber]) o.start();
      expect(service.config.intervalMs).toBe(1_000);
      expect(kinds()).toEqual(
        expect.arrayContaining([
          'health monitor (disposed)',
          'health aggregate service',
          'health config publisher',
          'health config subscriber',
          `health service (${path})`,
        ]),
      );
    }
    expect(kinds()).toEqual([]);
  });

  it('an idempotency helper that opened its own store', async () => {
    {
      await using idempotency = createIdempotency({ store: `sqlite:${tempDbPath()}` });
      expect((await idempotency.run({ key: 'k', input: 1 }, () => 'done')).value).toBe('done');
      expect(kinds()).toEqual(['idempotency store (sqlite)']);
    }
    expect(kinds()).toEqual([]);
  });
});
