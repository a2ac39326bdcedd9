/**
 * The bus on PostgreSQL as several nodes: two `openBallast` on one schema are one service —
 * events put through either are dispatched once, scheduled rules fire once per period, and a
 * function target is served by the process that registered it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';

describePg('event bus on PostgreSQL: two nodes, one service', () => {
  let a: Ballast;
  let b: Ballast;
  let url: string;
  beforeEach(async () => {
    url = `${PG_URL}?schema=${freshSchema()}`;
    a = await openBallast({ store: url, retentionSweepMs: 0, statsTtlMs: 0 });
    b = await openBallast({ store: url, retentionSweepMs: 0, statsTtlMs: 0 });
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('events put through both nodes reach a queue target exactly once each', async () => {
    await a.queues.create('sink');
    await a.bus.putRule('all', { eventPattern: { source: ['shop'] } });
    await a.bus.putTargets('all', [{ id: 'q', arn: a.queues.arn('sink') }]);
    const total = 200;
    for (let i = 0; i < total; i += 10) {
      const node = i % 20 === 0 ? a : b;
      const r = await node.bus.putEvents(
        Array.from({ length: 10 }, (_, j) => ({
          source: 'shop',
          detailType: 'T',
          detail: JSON.stringify({ n: i + j }),
        })),
      );
      expect(r.failedEntryCount).toBe(0);
    }
    const q = await b.queues.get('sink');
    const got: number[] = [];
    await waitFor(async () => {
      for (const m of await q.receive({ maxMessages: 10 })) {
        got.push((JSON.parse(m.body) as { detail: { n: number } }).detail.n);
        await q.delete(m.receiptHandle);
      }
      return got.length >= total;
    }, 20_000);
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
    // Nothing more arrives: no event was dispatched twice.
    await new Promise((r) => setTimeout(r, 300));
    expect(await q.receive({ maxMessages: 10 })).toEqual([]);
  });

  it(
    'a function target is served by the process that registered it',
    { timeout: 40_000 },
    async () => {
      const errors: string[] = [];
      for (const n of [a, b])
        n.bus.events.on('bus:error', (e) =>
          errors.push(String((e.error as Error)?.message ?? e.error)),
        );
      const seen: unknown[] = [];
      b.bus.registerFunction('only-on-b', (e) => void seen.push(e.detail));
      await a.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await a.bus.putTargets('r', [{ id: 'f', arn: a.bus.functionArn('only-on-b') }]);
      await a.bus.putEvents([{ source: 'shop', detailType: 'T', detail: '{"n":1}' }]);
      await waitFor(() => seen.length === 1, 20_000).catch((error: unknown) => {
        throw new Error(`not delivered; background errors: ${JSON.stringify(errors.slice(0, 5))}`, {
          cause: error,
        });
      });
      expect(seen).toEqual([{ n: 1 }]);
    },
  );
});

describePg('scheduled rules on PostgreSQL: once per period across nodes', () => {
  it('two nodes firing together: one wins each period', async () => {
    const url = `${PG_URL}?schema=${freshSchema()}`;
    const clock = new FakeClock();
    const nodes = await Promise.all(
      [0, 1, 2].map(() =>
        openBallast({ store: url, clock, retentionSweepMs: 0, bus: { background: false } }),
      ),
    );
    try {
      const [n0] = nodes as [Ballast, Ballast, Ballast];
      await n0.bus.putRule('tick', { scheduleExpression: 'rate(1 minute)' });
      let fired = 0;
      for (let period = 0; period < 5; period++) {
        clock.advance(60_000);
        const results = await Promise.all(nodes.map((n) => n.bus.fireSchedulesOnce()));
        fired += results.reduce((x, y) => x + y, 0);
        expect(results.reduce((x, y) => x + y, 0)).toBe(1);
      }
      expect(fired).toBe(5);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
