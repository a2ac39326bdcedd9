/**
 * The event bus on two nodes of one PostgreSQL schema: two stores (two pools, two LISTEN
 * connections) opened together. Every event is dispatched by exactly one node, every delivery
 * is held by one worker at a time, and wake-ups cross from one node to the other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BUS_WAKE,
  type BusRecord,
  type ClaimedDelivery,
  type DeliveryFilter,
  type NewBusEvent,
  type RuleFields,
} from '../../src/store/bus-contract.js';
import type { QueueRecord, Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/queue/settings.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { testMessage } from '../helpers/messages.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { dispatchAll } from '../helpers/bus.js';

const NO_FIELDS = { description: null, deadLetterArn: null, tags: {} };
const RULE: RuleFields = {
  eventPattern: '{"source":["app"]}',
  scheduleExpression: null,
  nextFireAt: null,
  state: 'ENABLED',
  description: null,
  roleArn: null,
};
/** Long enough that no lease ends while a test runs. */
const LONG_LEASE = 120_000;
/** A loop that finds nothing to do this many times in a row gives up (the test then fails on its counts). */
const MAX_IDLE = 500;

const event = (busId: number, n: number): NewBusEvent => ({
  busId,
  eventId: randomUUID(),
  body: JSON.stringify({ source: 'app', detail: { n } }),
  eventTime: Date.now(),
  replayName: null,
  onlyRuleIds: null,
});

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

/** Resolves at the next wake-up of `key` (registered now), or rejects after 10 s. */
function nextWake(
  on: (key: number, listener: () => void) => () => void,
  key: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, 10_000);
    const off = on(key, () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function openNodes(options: { schema: string; clock?: FakeClock }): Promise<[Store, Store]> {
  // Both nodes start together: the migration lock lets exactly one of them migrate.
  const [a, b] = await Promise.all([
    openPostgresStore(PG_URL, { ...options, poolSize: 6 }),
    openPostgresStore(PG_URL, { ...options, poolSize: 6 }),
  ]);
  return [a, b];
}

describePg('postgres bus: two nodes on one schema', () => {
  let a: Store;
  let b: Store;
  let bus: BusRecord;
  let ruleId: number;

  beforeAll(async () => {
    [a, b] = await openNodes({ schema: freshSchema() });
    bus = (await a.bus.createBus('nodes', NO_FIELDS)).bus;
    ruleId = (await b.bus.putRule(bus.id, 'r', RULE)).id;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  async function createQueue(name: string): Promise<QueueRecord> {
    const r = await a.queues.createQueue(name, DEFAULT_QUEUE_SETTINGS, {}, 60_000);
    if (r.status === 'deletedRecently') throw new Error('unexpected deletedRecently');
    return r.queue;
  }

  it('events put through both nodes while both dispatch in loops are dispatched exactly once, queue messages included', async () => {
    const q = await createQueue('dispatched');
    const total = 600;
    const batch = 20;
    const put: number[] = [];
    const seen: number[] = [];
    // Producers on both nodes commit in interleaved order while dispatchers run.
    let producing = 2;
    const producer = async (store: Store, offset: number): Promise<void> => {
      try {
        for (let i = offset; i < total; i += 2 * batch) {
          put.push(
            ...(await store.bus.putEvents(
              Array.from({ length: batch }, (_, j) => event(bus.id, i + j)),
            )),
          );
        }
      } finally {
        producing--;
      }
    };
    const dispatcher = async (store: Store): Promise<void> => {
      let idle = 0;
      // Idle rounds count only once nothing more is coming: a producer slowed down by a loaded
      // machine must not look like a lost event.
      while (seen.length < total && (producing > 0 || idle < MAX_IDLE)) {
        let mine: number[] = [];
        const n = await dispatchAll(store, 10, (events) => {
          // Counted only once the dispatch committed (a retried transaction calls the plan again).
          mine = events.map((e) => e.position);
          return {
            deliveries: events.map((e) => ({
              eventPosition: e.position,
              ruleId,
              targetId: 'q',
              route: null,
              payload: e.body,
              state: 'delivered' as const,
            })),
            sends: [
              { queueId: q.id, messages: events.map((e) => testMessage(String(e.position))) },
            ],
            archived: [],
          };
        });
        seen.push(...mine.slice(0, n));
        idle = n === 0 ? idle + 1 : 0;
        if (n === 0) await pause();
      }
    };
    await Promise.all([
      producer(a, 0),
      producer(b, batch),
      ...[a, a, a, b, b, b].map((store) => dispatcher(store)),
    ]);

    expect(put.length).toBe(total);
    expect(seen.length).toBe(total);
    expect(new Set(seen)).toEqual(new Set(put));
    expect(await dispatchAll(a, 10, () => ({ deliveries: [], sends: [], archived: [] }))).toBe(0);
    // Exactly one message per event reached the queue.
    const bodies: string[] = [];
    for (;;) {
      const got = await b.queues.receive(q.id, { fifo: false, max: 10, visibilityMs: LONG_LEASE });
      if (got.length === 0) break;
      bodies.push(...got.map((m) => m.body));
    }
    expect(bodies.length).toBe(total);
    expect(new Set(bodies)).toEqual(new Set(put.map(String)));
  });

  it('workers on both nodes claim deliveries concurrently: none is held by two at once, each retry is claimed again', async () => {
    const total = 150;
    const route = 'fn:workers';
    const filter: DeliveryFilter = { routes: [route], routePrefixes: [], excludeRoutes: [] };
    await a.bus.putEvents(Array.from({ length: total }, (_, i) => event(bus.id, i)));
    let dispatched = 0;
    while (dispatched < total) {
      dispatched += await dispatchAll(b, 50, (events) => ({
        deliveries: events.map((e) => ({
          eventPosition: e.position,
          ruleId,
          targetId: 'fn',
          route,
          payload: e.body,
          state: 'pending' as const,
        })),
        sends: [],
        archived: [],
      }));
    }

    const holder = new Map<number, string>();
    const claims = new Map<number, number>();
    const violations: string[] = [];
    let delivered = 0;
    const worker = async (name: string, store: Store): Promise<void> => {
      let idle = 0;
      while (delivered < total && idle < MAX_IDLE) {
        const got: ClaimedDelivery[] = await store.bus.claimDeliveries(filter, 4, LONG_LEASE);
        idle = got.length === 0 ? idle + 1 : 0;
        for (const d of got) {
          const other = holder.get(d.id);
          if (other !== undefined)
            violations.push(`${name} claimed ${d.id} while ${other} holds it`);
          holder.set(d.id, name);
          claims.set(d.id, (claims.get(d.id) ?? 0) + 1);
        }
        await pause(); // "work" while holding the leases
        for (const d of got) {
          // Release our hold before the settlement commits: from then on another worker may claim it.
          holder.delete(d.id);
          const at = Date.now();
          const settled =
            d.attempts === 0
              ? await store.bus.settleDelivery(d.id, d.lease, {
                  state: 'pending',
                  attempt: { at, ok: false, error: 'HTTP_503', message: null },
                  retryAt: 0,
                })
              : await store.bus.settleDelivery(d.id, d.lease, {
                  state: 'delivered',
                  attempt: { at, ok: true, error: null, message: null },
                });
          if (!settled) violations.push(`${name} lost the lease of ${d.id}`);
          if (d.attempts > 0) delivered++;
        }
      }
    };
    await Promise.all([
      worker('A1', a),
      worker('A2', a),
      worker('A3', a),
      worker('B1', b),
      worker('B2', b),
      worker('B3', b),
    ]);

    expect(violations).toEqual([]);
    expect(delivered).toBe(total);
    expect(claims.size).toBe(total);
    expect([...claims.values()].every((n) => n === 2)).toBe(true);
    expect(await a.bus.nextDeliveryAt(filter)).toBeNull();
  });

  it("a putEvents on one node wakes the other node's dispatchers; its dispatch wakes the other's workers and consumers", async () => {
    const q = await createQueue('woken');
    const inbox = nextWake(
      (k, l) => b.bus.onWake(k, l),
      BUS_WAKE.inbox,
      'the inbox wake-up on node B',
    );
    await a.bus.putEvents([event(bus.id, 1)]);
    await inbox;

    const deliveries = nextWake(
      (k, l) => b.bus.onWake(k, l),
      BUS_WAKE.deliveries,
      'the deliveries wake-up on node B',
    );
    const consumers = nextWake(
      (k, l) => b.queues.onWake(k, l),
      q.id,
      'the queue wake-up on node B',
    );
    const n = await dispatchAll(a, 10, (events) => ({
      deliveries: events.map((e) => ({
        eventPosition: e.position,
        ruleId,
        targetId: 'fn',
        route: 'fn:woken',
        payload: e.body,
        state: 'pending' as const,
      })),
      sends: [{ queueId: q.id, messages: [testMessage('m')] }],
      archived: [],
    }));
    expect(n).toBe(1);
    await Promise.all([deliveries, consumers]);
  });

  it('concurrent PutTargets from both nodes never pass the per-rule limit', async () => {
    const rule = await a.bus.putRule(bus.id, 'limited', RULE);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? a : b).bus.putTargets(
          rule.id,
          [{ id: `t${i}`, arn: 'arn:q', config: {} }],
          5,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok').length).toBe(5);
    expect((await b.bus.getRule(bus.id, 'limited'))?.targets).toHaveLength(5);
  });
});

describePg('postgres bus: leases across two nodes (shared FakeClock)', () => {
  const clock = new FakeClock();
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    [a, b] = await openNodes({ schema: freshSchema(), clock });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a delivery leased on one node is claimable on the other only once the lease ends; the first lease then settles nothing', async () => {
    const { bus } = await a.bus.createBus('leases', NO_FIELDS);
    const rule = await a.bus.putRule(bus.id, 'r', RULE);
    const filter: DeliveryFilter = { routes: ['fn:l'], routePrefixes: [], excludeRoutes: [] };
    const e = { ...event(bus.id, 1), eventTime: clock.now() };
    await a.bus.putEvents([e]);
    await dispatchAll(b, 10, (events) => ({
      deliveries: events.map((x) => ({
        eventPosition: x.position,
        ruleId: rule.id,
        targetId: 't',
        route: 'fn:l',
        payload: x.body,
        state: 'pending' as const,
      })),
      sends: [],
      archived: [],
    }));
    const [first] = await a.bus.claimDeliveries(filter, 10, 1000);
    expect(first).toBeDefined();
    expect(await b.bus.claimDeliveries(filter, 10, 1000)).toEqual([]);
    expect(await b.bus.nextDeliveryAt(filter)).toBe(clock.now() + 1000);
    clock.advance(1000);
    const [second] = await b.bus.claimDeliveries(filter, 10, 1000);
    expect(second?.id).toBe(first!.id);
    const attempt = { at: clock.now(), ok: true, error: null, message: null };
    expect(
      await a.bus.settleDelivery(first!.id, first!.lease, { state: 'delivered', attempt }),
    ).toBe(false);
    expect(
      await b.bus.settleDelivery(second!.id, second!.lease, { state: 'delivered', attempt }),
    ).toBe(true);
    expect((await a.bus.traceEvent(e.eventId))?.deliveries).toMatchObject([
      { state: 'delivered', attempts: 1 },
    ]);
  });
});
