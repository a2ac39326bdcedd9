/**
 * The bus half of the store contract suite: every driver runs it (test/store/<driver>.test.ts).
 * Time is a FakeClock injected into the driver; nothing here sleeps.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUS_WAKE,
  type BusRecord,
  type DeliveryFilter,
  type NewBusEvent,
  type ReplayRecord,
  type RuleFields,
  type StoredBusEvent,
} from '../../src/store/bus-contract.js';
import type { Store } from '../../src/store/contract.js';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/queue/settings.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { dispatchAll, type PlanWrites } from '../helpers/bus.js';
import { testMessage } from '../helpers/messages.js';

/** Opens a fresh, empty store whose time comes from `clock`. */
export type BusStoreFactory = (clock: FakeClock) => Promise<Store>;

const NO_FIELDS = { description: null, deadLetterArn: null, tags: {} };
const RULE: RuleFields = {
  eventPattern: '{"source":["app"]}',
  scheduleExpression: null,
  nextFireAt: null,
  state: 'ENABLED',
  description: null,
  roleArn: null,
};
const NOTHING: PlanWrites = { deliveries: [], sends: [], archived: [] };
const FN_ROUTES: DeliveryFilter = {
  routes: ['fn:a', 'fn:b'],
  routePrefixes: [],
  excludeRoutes: [],
};

/** Registers the bus contract suite for one driver. */
export function busContract(driverName: string, open: BusStoreFactory): void {
  describe(`bus store contract: ${driverName}`, () => {
    let store: Store;
    let clock: FakeClock;
    let bus: BusRecord;

    beforeEach(async () => {
      clock = new FakeClock();
      store = await open(clock);
      bus = (await store.bus.createBus('default', NO_FIELDS)).bus;
    });
    afterEach(async () => {
      await store.close();
    });

    const event = (n: number, extra: Partial<NewBusEvent> = {}): NewBusEvent => ({
      busId: bus.id,
      eventId: randomUUID(),
      body: JSON.stringify({ source: 'app', detail: { n } }),
      eventTime: clock.now(),
      replayName: null,
      onlyRuleIds: null,
      ...extra,
    });

    /** Dispatches everything in the inbox with one pending function delivery per event. */
    async function dispatchToFunction(ruleId: number, route = 'fn:a'): Promise<StoredBusEvent[]> {
      const seen: StoredBusEvent[] = [];
      await dispatchAll(store, 100, (events) => {
        seen.push(...events);
        return {
          ...NOTHING,
          deliveries: events.map((e) => ({
            eventPosition: e.position,
            ruleId,
            targetId: 't1',
            route,
            payload: e.body,
            state: 'pending' as const,
          })),
        };
      });
      return seen;
    }

    describe('buses', () => {
      it('creates once, then reports the existing bus; lists by prefix in pages', async () => {
        const again = await store.bus.createBus('default', { ...NO_FIELDS, description: 'other' });
        expect(again.created).toBe(false);
        expect(again.bus.id).toBe(bus.id);
        for (const name of ['orders', 'orders-eu', 'payments'])
          await store.bus.createBus(name, NO_FIELDS);
        expect((await store.bus.listBuses('orders', null, 10)).map((b) => b.name)).toEqual([
          'orders',
          'orders-eu',
        ]);
        expect((await store.bus.listBuses('', 'default', 2)).map((b) => b.name)).toEqual([
          'orders',
          'orders-eu',
        ]);
      });

      it('updates fields, and deletes a bus only once it has no rules', async () => {
        const { bus: b } = await store.bus.createBus('custom', NO_FIELDS);
        const updated = await store.bus.updateBus(b.id, {
          description: 'd',
          deadLetterArn: 'arn:dlq',
          tags: { team: 'x' },
        });
        expect(updated).toMatchObject({
          description: 'd',
          deadLetterArn: 'arn:dlq',
          tags: { team: 'x' },
        });
        await store.bus.putRule(b.id, 'r', RULE);
        expect(await store.bus.deleteBus(b.id)).toBe('hasRules');
        expect(await store.bus.deleteRule(b.id, 'r')).toBe('deleted');
        expect(await store.bus.deleteBus(b.id)).toBe('deleted');
        expect(await store.bus.deleteBus(b.id)).toBe('absent');
        expect(await store.bus.getBus('custom')).toBeUndefined();
      });
    });

    describe('bus policies, KMS key ids and rule tags (migration bus/0006)', () => {
      it('stores policy and KMS key id; updateBus replaces them, absent fields clear them', async () => {
        const { bus: b } = await store.bus.createBus('secured', {
          ...NO_FIELDS,
          policy: '{"Statement":[]}',
          kmsKeyIdentifier: 'alias/k',
        });
        expect(b).toMatchObject({ policy: '{"Statement":[]}', kmsKeyIdentifier: 'alias/k' });
        expect(await store.bus.getBus('secured')).toMatchObject({ kmsKeyIdentifier: 'alias/k' });
        expect(bus).toMatchObject({ policy: null, kmsKeyIdentifier: null });
        const cleared = await store.bus.updateBus(b.id, { ...NO_FIELDS, description: 'd' });
        expect(cleared).toMatchObject({ description: 'd', policy: null, kmsKeyIdentifier: null });
      });

      it('editBus rewrites from the stored record; an edit that throws changes nothing; a gone bus is undefined', async () => {
        const { bus: b } = await store.bus.createBus('edited', { ...NO_FIELDS, tags: { a: '1' } });
        clock.advance(5);
        const edited = await store.bus.editBus(b.id, (cur) => ({
          ...cur,
          tags: { ...cur.tags, b: '2' },
          policy: '{"Version":"2012-10-17"}',
        }));
        expect(edited).toMatchObject({
          tags: { a: '1', b: '2' },
          policy: '{"Version":"2012-10-17"}',
          description: null,
        });
        expect(edited!.modifiedAt).toBeGreaterThan(b.modifiedAt);
        await expect(
          store.bus.editBus(b.id, () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect((await store.bus.getBus('edited'))?.tags).toEqual({ a: '1', b: '2' });
        // Edits of one bus do not lose each other's changes.
        await Promise.all(
          ['x', 'y', 'z'].map((k) =>
            store.bus.editBus(b.id, (cur) => ({ ...cur, tags: { ...cur.tags, [k]: k } })),
          ),
        );
        expect((await store.bus.getBus('edited'))?.tags).toEqual({
          a: '1',
          b: '2',
          x: 'x',
          y: 'y',
          z: 'z',
        });
        expect(await store.bus.deleteBus(b.id)).toBe('deleted');
        expect(await store.bus.editBus(b.id, (cur) => cur)).toBeUndefined();
      });

      it('PutRule stores tags on create only; editRuleTags rewrites them, keeping targets', async () => {
        const r = await store.bus.putRule(bus.id, 'tagged', { ...RULE, tags: { team: 'a' } });
        expect(r.tags).toEqual({ team: 'a' });
        expect((await store.bus.putRule(bus.id, 'plain', RULE)).tags).toEqual({});
        const replaced = await store.bus.putRule(bus.id, 'tagged', {
          ...RULE,
          tags: { other: 'x' },
        });
        expect(replaced.tags).toEqual({ team: 'a' });
        await store.bus.putTargets(r.id, [{ id: 't', arn: 'arn:q', config: {} }], 5);
        const edited = await store.bus.editRuleTags(r.id, (tags) => ({ ...tags, env: 'prod' }));
        expect(edited).toMatchObject({ name: 'tagged', tags: { team: 'a', env: 'prod' } });
        expect(edited!.targets.map((t) => t.id)).toEqual(['t']);
        await expect(
          store.bus.editRuleTags(r.id, () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect((await store.bus.getRule(bus.id, 'tagged'))?.tags).toEqual({
          team: 'a',
          env: 'prod',
        });
        expect((await store.bus.loadRules()).find((x) => x.name === 'tagged')?.tags).toEqual({
          team: 'a',
          env: 'prod',
        });
        expect(await store.bus.editRuleTags(999_999, (t) => t)).toBeUndefined();
      });
    });

    describe('rules and targets', () => {
      it('PutRule creates, then replaces every field but keeps id and targets; each change moves the version', async () => {
        const v0 = await store.bus.rulesVersion();
        const r = await store.bus.putRule(bus.id, 'r1', RULE);
        expect(
          await store.bus.putTargets(
            r.id,
            [{ id: 't1', arn: 'arn:q', config: { input: '{}' } }],
            5,
          ),
        ).toBe('ok');
        const v1 = await store.bus.rulesVersion();
        expect(v1).toBeGreaterThan(v0);
        const replaced = await store.bus.putRule(bus.id, 'r1', {
          ...RULE,
          state: 'DISABLED',
          description: 'now off',
        });
        expect(replaced.id).toBe(r.id);
        expect(replaced).toMatchObject({
          state: 'DISABLED',
          description: 'now off',
          eventPattern: RULE.eventPattern,
        });
        expect(replaced.targets).toEqual([{ id: 't1', arn: 'arn:q', config: { input: '{}' } }]);
        expect(await store.bus.rulesVersion()).toBeGreaterThan(v1);
      });

      it('lists rules of one bus by prefix, after a name', async () => {
        const { bus: other } = await store.bus.createBus('other', NO_FIELDS);
        for (const n of ['a1', 'a2', 'b1']) await store.bus.putRule(bus.id, n, RULE);
        await store.bus.putRule(other.id, 'a3', RULE);
        expect((await store.bus.listRules(bus.id, 'a', null, 10)).map((r) => r.name)).toEqual([
          'a1',
          'a2',
        ]);
        expect((await store.bus.listRules(bus.id, '', 'a1', 1)).map((r) => r.name)).toEqual(['a2']);
        expect(await store.bus.getRule(other.id, 'a1')).toBeUndefined();
      });

      it('upserts targets by id, refuses to pass the limit (writing nothing), and removes by id', async () => {
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        const t = (id: string, arn = 'arn:q') => ({ id, arn, config: {} });
        expect(await store.bus.putTargets(r.id, [t('a'), t('b')], 3)).toBe('ok');
        expect(await store.bus.putTargets(r.id, [t('a', 'arn:new')], 3)).toBe('ok');
        expect(await store.bus.putTargets(r.id, [t('c'), t('d')], 3)).toBe('limit');
        expect(await store.bus.putTargets(999_999, [t('a')], 3)).toBe('absent');
        const rule = await store.bus.getRule(bus.id, 'r');
        expect(rule?.targets.map((x) => [x.id, x.arn])).toEqual([
          ['a', 'arn:new'],
          ['b', 'arn:q'],
        ]);
        expect(await store.bus.deleteRule(bus.id, 'r')).toBe('hasTargets');
        expect(await store.bus.removeTargets(r.id, ['a', 'zzz'])).toEqual(['a']);
        expect(
          (await store.bus.loadRules()).find((x) => x.id === r.id)?.targets.map((x) => x.id),
        ).toEqual(['b']);
      });
    });

    describe('schedules', () => {
      it('lists due enabled schedules; a firing moves the next time and appends its event once', async () => {
        const t0 = clock.now();
        const r = await store.bus.putRule(bus.id, 'tick', {
          ...RULE,
          eventPattern: null,
          scheduleExpression: 'rate(1 minute)',
          nextFireAt: t0 + 60_000,
        });
        await store.bus.putRule(bus.id, 'off', {
          ...RULE,
          eventPattern: null,
          scheduleExpression: 'rate(1 minute)',
          nextFireAt: t0,
          state: 'DISABLED',
        });
        expect(r.nextFireAt).toBe(t0 + 60_000);
        expect(await store.bus.nextScheduleAt()).toBe(t0 + 60_000);
        expect(await store.bus.dueSchedules(t0 + 59_999, 10)).toEqual([]);
        const [due] = await store.bus.dueSchedules(t0 + 60_000, 10);
        expect(due).toEqual({
          ruleId: r.id,
          busId: bus.id,
          name: 'tick',
          scheduleExpression: 'rate(1 minute)',
          dueAt: t0 + 60_000,
        });
        const fire = () =>
          store.bus.fireSchedule(
            r.id,
            t0 + 60_000,
            t0 + 120_000,
            event(1, { onlyRuleIds: [r.id] }),
          );
        const results = await Promise.all([fire(), fire(), fire()]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.bus.nextScheduleAt()).toBe(t0 + 120_000);
        const seen: StoredBusEvent[] = [];
        await dispatchAll(store, 10, (es) => {
          seen.push(...es);
          return NOTHING;
        });
        expect(seen.map((e) => e.onlyRuleIds)).toEqual([[r.id]]);
      });
    });

    describe('event log and dispatch', () => {
      it('appends events and wakes the dispatcher after commit; dispatch sees them in order, once', async () => {
        let woke = 0;
        const off = store.bus.onWake(BUS_WAKE.inbox, () => woke++);
        const positions = await store.bus.putEvents([event(1), event(2), event(3)]);
        off();
        expect(woke).toBeGreaterThan(0);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        const seen = await dispatchToFunction(r.id);
        expect(seen.map((e) => e.position)).toEqual(positions);
        expect(seen[0]).toMatchObject({
          busId: bus.id,
          replayName: null,
          onlyRuleIds: null,
          ingestedAt: clock.now(),
        });
        expect(await dispatchAll(store, 100, () => NOTHING)).toBe(0);
      });

      it('a plan that throws writes nothing and leaves the events in the inbox', async () => {
        await store.bus.putEvents([event(1)]);
        await expect(
          dispatchAll(store, 10, () => {
            throw new Error('bug in a plan');
          }),
        ).rejects.toThrow('bug in a plan');
        expect(await dispatchAll(store, 10, () => NOTHING)).toBe(1);
      });

      it('writes queue messages in the dispatch transaction, and wakes that queue', async () => {
        const q = await store.queues.createQueue('target', DEFAULT_QUEUE_SETTINGS, {}, 60_000);
        if (q.status !== 'created') throw new Error('queue');
        let woke = 0;
        store.queues.onWake(q.queue.id, () => woke++);
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        await store.bus.putEvents([event(1, { replayName: 'rp', onlyRuleIds: [r.id] })]);
        await dispatchAll(store, 10, (events) => ({
          deliveries: events.map((e) => ({
            eventPosition: e.position,
            ruleId: r.id,
            targetId: 'q',
            route: null,
            payload: e.body,
            state: 'delivered' as const,
          })),
          sends: [{ queueId: q.queue.id, messages: events.map((e) => testMessage(e.body)) }],
          archived: [],
        }));
        expect(woke).toBeGreaterThan(0);
        const got = await store.queues.receive(q.queue.id, {
          fifo: false,
          max: 10,
          visibilityMs: 30_000,
        });
        expect(got.map((m) => JSON.parse(m.body) as unknown)).toEqual([
          { source: 'app', detail: { n: 1 } },
        ]);
      });

      it('concurrent dispatches never hand out one event twice', async () => {
        await store.bus.putEvents(Array.from({ length: 60 }, (_, i) => event(i)));
        const seen: number[] = [];
        const once = () =>
          dispatchAll(store, 7, (events) => {
            seen.push(...events.map((e) => e.position));
            return NOTHING;
          });
        for (let round = 0; round < 5; round++) await Promise.all([once(), once(), once(), once()]);
        expect(seen.length).toBe(60);
        expect(new Set(seen).size).toBe(60);
      });

      it('claims within the byte budget: events in order while their bodies fit, a larger first event alone', async () => {
        const sized = (n: number, bytes: number) =>
          event(n, { body: JSON.stringify({ source: 'app', pad: 'x'.repeat(bytes - 25), n }) });
        const positions = await store.bus.putEvents([
          sized(1, 400),
          sized(2, 400),
          sized(3, 400),
          sized(4, 5_000),
          sized(5, 100),
        ]);
        const cuts: boolean[] = [];
        const take = async (maxBytes: number): Promise<number[]> => {
          let got: number[] = [];
          await store.bus.dispatch({ maxEvents: 10, maxBytes }, (events, _now, _version, cut) => {
            got = events.map((e) => e.position);
            cuts.push(cut);
            return { ...NOTHING, handled: got, parked: [] };
          });
          return got;
        };
        expect(await take(1_000)).toEqual(positions.slice(0, 2));
        expect(await take(1_000)).toEqual(positions.slice(2, 3));
        expect(await take(1_000)).toEqual(positions.slice(3, 4));
        expect(await take(1_000)).toEqual(positions.slice(4, 5));
        expect(await take(1_000)).toEqual([]);
        // Cut by bytes while events were still waiting; not cut once the last one was taken.
        expect(cuts).toEqual([true, true, true, false]);
      });

      it('removes only the handled prefix from the inbox; the rest is claimed by the next dispatch', async () => {
        const positions = await store.bus.putEvents([event(1), event(2), event(3)]);
        const first = await store.bus.dispatch(
          { maxEvents: 10, maxBytes: 1_000_000 },
          (events) => ({ ...NOTHING, handled: [events[0]!.position], parked: [] }),
        );
        expect(first).toBe(1);
        const rest: number[] = [];
        await dispatchAll(
          store,
          10,
          (events) => (rest.push(...events.map((e) => e.position)), NOTHING),
        );
        expect(rest).toEqual(positions.slice(1));
      });

      it('parks events with their error (in the dispatch, or alone); lists them; puts them back in the inbox on request', async () => {
        const [a, b, c] = await store.bus.putEvents([event(1), event(2), event(3)]);
        const error = { code: 'ValidationException', message: 'too deep', at: clock.now() };
        await store.bus.dispatch({ maxEvents: 1, maxBytes: 1_000_000 }, (events) => ({
          ...NOTHING,
          handled: [events[0]!.position],
          parked: [{ position: events[0]!.position, error }],
        }));
        expect(
          await store.bus.parkEvents([
            { position: b!, error: { ...error, code: 'InternalError' } },
          ]),
        ).toBe(1);
        // Parking an event no longer in the inbox changes nothing.
        expect(await store.bus.parkEvents([{ position: b!, error }])).toBe(0);
        const parked = await store.bus.listParked(0, 10);
        expect(parked.map((p) => [p.position, p.error.code])).toEqual([
          [a, 'ValidationException'],
          [b, 'InternalError'],
        ]);
        expect(parked[0]).toMatchObject({ busId: bus.id, error, ingestedAt: clock.now() });
        expect((await store.bus.listParked(a!, 10)).map((p) => p.position)).toEqual([b]);
        const trace = await store.bus.traceEvent(parked[0]!.eventId);
        expect(trace).toMatchObject({ dispatched: true, dispatchError: error, deliveries: [] });
        // Only c is left to dispatch.
        const left: number[] = [];
        await dispatchAll(
          store,
          10,
          (events) => (left.push(...events.map((e) => e.position)), NOTHING),
        );
        expect(left).toEqual([c]);
        expect(await store.bus.redispatchParked([a!], 10)).toBe(1);
        expect((await store.bus.listParked(0, 10)).map((p) => p.position)).toEqual([b]);
        expect(await store.bus.redispatchParked(null, 10)).toBe(1);
        expect(await store.bus.listParked(0, 10)).toEqual([]);
        const again: number[] = [];
        await dispatchAll(
          store,
          10,
          (events) => (again.push(...events.map((e) => e.position)), NOTHING),
        );
        expect(again).toEqual([a, b]);
        expect((await store.bus.traceEvent(parked[0]!.eventId))?.dispatchError).toBeNull();
      });
    });

    describe('deliveries', () => {
      it('are claimed by route, hidden while leased, and claimable again when the lease ends', async () => {
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        await store.bus.putEvents([event(1), event(2)]);
        await dispatchAll(store, 1, (events) => ({
          ...NOTHING,
          deliveries: [
            {
              eventPosition: events[0]!.position,
              ruleId: r.id,
              targetId: 't',
              route: 'fn:a',
              payload: 'p',
              state: 'pending',
            },
          ],
        }));
        await dispatchAll(store, 1, (events) => ({
          ...NOTHING,
          deliveries: [
            {
              eventPosition: events[0]!.position,
              ruleId: r.id,
              targetId: 't',
              route: 'http:dest',
              payload: 'p',
              state: 'pending',
            },
          ],
        }));
        expect(
          await store.bus.claimDeliveries(
            { routes: ['fn:other'], routePrefixes: [], excludeRoutes: [] },
            10,
            1000,
          ),
        ).toEqual([]);
        const http = await store.bus.claimDeliveries(
          { routes: [], routePrefixes: ['http:'], excludeRoutes: [] },
          10,
          1000,
        );
        expect(http.map((d) => d.route)).toEqual(['http:dest']);
        expect(
          await store.bus.claimDeliveries(
            { routes: ['fn:a'], routePrefixes: [], excludeRoutes: ['fn:a'] },
            10,
            1000,
          ),
        ).toEqual([]);
        const [fn] = await store.bus.claimDeliveries(FN_ROUTES, 10, 1000);
        expect(fn).toMatchObject({ route: 'fn:a', state: 'pending', attempts: 0, payload: 'p' });
        expect(JSON.parse(fn!.event.body)).toEqual({ source: 'app', detail: { n: 1 } });
        expect(await store.bus.claimDeliveries(FN_ROUTES, 10, 1000)).toEqual([]);
        expect(await store.bus.nextDeliveryAt(FN_ROUTES)).toBe(clock.now() + 1000);
        clock.advance(1000);
        const [again] = await store.bus.claimDeliveries(FN_ROUTES, 10, 1000);
        expect(again?.id).toBe(fn!.id);
        // The first lease is gone: settling with it changes nothing.
        expect(
          await store.bus.settleDelivery(fn!.id, fn!.lease, {
            state: 'delivered',
            attempt: ok(clock),
          }),
        ).toBe(false);
        expect(
          await store.bus.settleDelivery(again!.id, again!.lease, {
            state: 'delivered',
            attempt: ok(clock),
          }),
        ).toBe(true);
        expect(await store.bus.nextDeliveryAt(FN_ROUTES)).toBeNull();
      });

      it('a retry waits until retryAt; attempts and history are kept; a dead-letter settlement writes the DLQ message', async () => {
        const dlq = await store.queues.createQueue('dlq', DEFAULT_QUEUE_SETTINGS, {}, 60_000);
        if (dlq.status !== 'created') throw new Error('queue');
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        const e = event(1);
        await store.bus.putEvents([e]);
        await dispatchToFunction(r.id);
        let [d] = await store.bus.claimDeliveries(FN_ROUTES, 10, 5000);
        const failed = { at: clock.now(), ok: false, error: 'HTTP_503', message: 'unavailable' };
        expect(
          await store.bus.settleDelivery(d!.id, d!.lease, {
            state: 'pending',
            attempt: failed,
            retryAt: clock.now() + 2000,
          }),
        ).toBe(true);
        expect(await store.bus.claimDeliveries(FN_ROUTES, 10, 5000)).toEqual([]);
        clock.advance(2000);
        [d] = await store.bus.claimDeliveries(FN_ROUTES, 10, 5000);
        expect(d).toMatchObject({ attempts: 1, history: [failed] });
        const dead = {
          state: 'dead-lettered' as const,
          attempt: failed,
          deadLetter: { queueId: dlq.queue.id, messages: [testMessage('the event')] },
        };
        expect(await store.bus.settleDelivery(d!.id, d!.lease, dead)).toBe(true);
        const trace = await store.bus.traceEvent(e.eventId);
        expect(trace?.deliveries[0]).toMatchObject({ state: 'dead-lettered', attempts: 2 });
        expect(trace?.deliveries[0]?.history).toHaveLength(2);
        const got = await store.queues.receive(dlq.queue.id, {
          fifo: false,
          max: 10,
          visibilityMs: 30_000,
        });
        expect(got.map((m) => m.body)).toEqual(['the event']);
      });
    });

    describe('traces and retention', () => {
      it('traces an event before and after dispatch', async () => {
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        const e = event(1);
        await store.bus.putEvents([e]);
        expect(await store.bus.traceEvent(e.eventId)).toMatchObject({
          dispatched: false,
          deliveries: [],
        });
        await dispatchToFunction(r.id);
        const trace = await store.bus.traceEvent(e.eventId);
        expect(trace).toMatchObject({ dispatched: true, event: { eventId: e.eventId } });
        expect(trace?.deliveries.map((d) => [d.ruleId, d.targetId, d.state])).toEqual([
          [r.id, 't1', 'pending'],
        ]);
        expect(await store.bus.traceEvent('no-such-event')).toBeUndefined();
      });

      it('removes old dispatched events, never ones still waiting for dispatch or delivery', async () => {
        const r = await store.bus.putRule(bus.id, 'r', RULE);
        const [done, waiting, undispatched] = [event(1), event(2), event(3)];
        await store.bus.putEvents([done!, waiting!]);
        await dispatchAll(store, 10, (events) => ({
          ...NOTHING,
          deliveries: [
            {
              eventPosition: events[1]!.position,
              ruleId: r.id,
              targetId: 't',
              route: 'fn:a',
              payload: 'p',
              state: 'pending',
            },
          ],
        }));
        await store.bus.putEvents([undispatched!]);
        clock.advance(10_000);
        expect(await store.bus.removeEventsBefore(clock.now(), 100)).toBe(1);
        expect(await store.bus.traceEvent(done!.eventId)).toBeUndefined();
        expect(await store.bus.traceEvent(waiting!.eventId)).toBeDefined();
        expect(await store.bus.traceEvent(undispatched!.eventId)).toBeDefined();
      });
    });

    describe('archives', () => {
      it('create, list, update, read a time window in order after a cursor, size, retention, delete', async () => {
        const fields = { eventPattern: null, description: null, retentionDays: 1 };
        const { created, archive } = await store.bus.createArchive('arch', bus.id, fields);
        expect(created).toBe(true);
        expect((await store.bus.createArchive('arch', bus.id, fields)).created).toBe(false);
        expect((await store.bus.listArchives('ar', bus.id, null, 10)).map((a) => a.name)).toEqual([
          'arch',
        ]);
        expect(await store.bus.listArchives('', 999_999, null, 10)).toEqual([]);
        expect(
          await store.bus.updateArchive(archive.id, { ...fields, description: 'all' }),
        ).toMatchObject({ description: 'all' });
        const t0 = clock.now();
        const events = [
          event(1, { eventTime: t0 + 2 }),
          event(2, { eventTime: t0 }),
          event(3, { eventTime: t0 + 1 }),
          event(4, { eventTime: t0 + 50 }),
        ];
        await store.bus.putEvents(events);
        await dispatchAll(store, 10, (es) => ({
          ...NOTHING,
          archived: es.map((e) => ({ archiveId: archive.id, position: e.position })),
        }));
        const first = await store.bus.readArchive(archive.id, t0, t0 + 10, null, 2);
        expect(first.map((a) => a.eventTime)).toEqual([t0, t0 + 1]);
        const rest = await store.bus.readArchive(archive.id, t0, t0 + 10, first[1]!, 10);
        expect(rest.map((a) => a.eventTime)).toEqual([t0 + 2]);
        expect(JSON.parse(rest[0]!.body)).toEqual({ source: 'app', detail: { n: 1 } });
        const size = await store.bus.archiveSize(archive.id);
        expect(size.events).toBe(4);
        expect(size.bytes).toBe(events.reduce((n, e) => n + Buffer.byteLength(e.body), 0));
        expect(await store.bus.removeExpiredArchived(clock.now() + 86_400_000 - 1, 100)).toBe(0);
        expect(await store.bus.removeExpiredArchived(clock.now() + 86_400_001, 100)).toBe(4);
        expect(await store.bus.deleteArchive(archive.id)).toBe(true);
        expect(await store.bus.getArchive('arch')).toBeUndefined();
      });
    });

    describe('named resources (connections, API destinations)', () => {
      it('create once, replace only existing, list by kind and prefix, delete; each change moves the version', async () => {
        const v0 = await store.bus.rulesVersion();
        expect(await store.bus.putResource('connection', 'c1', { auth: 'API_KEY' }, 'create')).toBe(
          true,
        );
        expect(await store.bus.putResource('connection', 'c1', { auth: 'BASIC' }, 'create')).toBe(
          false,
        );
        expect(await store.bus.putResource('connection', 'zz', { auth: 'BASIC' }, 'replace')).toBe(
          false,
        );
        const v1 = await store.bus.rulesVersion();
        expect(v1).toBeGreaterThan(v0);
        expect(await store.bus.putResource('connection', 'c1', { auth: 'BASIC' }, 'replace')).toBe(
          true,
        );
        expect(await store.bus.rulesVersion()).toBeGreaterThan(v1);
        await store.bus.putResource('connection', 'c2', {}, 'create');
        await store.bus.putResource('api-destination', 'c3', { url: 'https://x' }, 'create');
        expect(await store.bus.getResource('connection', 'c1')).toMatchObject({
          kind: 'connection',
          name: 'c1',
          record: { auth: 'BASIC' },
          createdAt: clock.now(),
        });
        expect(
          (await store.bus.listResources('connection', 'c', null, 10)).map((r) => r.name),
        ).toEqual(['c1', 'c2']);
        expect(
          (await store.bus.listResources('connection', '', 'c1', 10)).map((r) => r.name),
        ).toEqual(['c2']);
        expect(await store.bus.deleteResource('connection', 'c1')).toBe(true);
        expect(await store.bus.deleteResource('connection', 'c1')).toBe(false);
        expect(await store.bus.getResource('connection', 'c1')).toBeUndefined();
      });
    });

    describe('replays', () => {
      const replay = (name: string, extra: Partial<ReplayRecord> = {}): ReplayRecord => ({
        name,
        description: null,
        archiveId: 1,
        archiveArn: 'arn:archive/a',
        busId: bus.id,
        destinationArn: 'arn:bus/default',
        filterRuleIds: null,
        filterArns: null,
        eventStartTime: 0,
        eventEndTime: 10,
        state: 'STARTING',
        stateReason: null,
        cursor: null,
        eventLastReplayedTime: null,
        replayed: 0,
        startedAt: clock.now(),
        endedAt: null,
        updatedAt: clock.now(),
        ...extra,
      });

      it('creates once, lists by prefix, state and archive', async () => {
        expect(await store.bus.createReplay(replay('r1'))).toBe(true);
        expect(await store.bus.createReplay(replay('r1'))).toBe(false);
        await store.bus.createReplay(
          replay('r2', { state: 'RUNNING', archiveArn: 'arn:archive/b' }),
        );
        await store.bus.createReplay(replay('x1'));
        expect((await store.bus.listReplays('r', null, null, null, 10)).map((r) => r.name)).toEqual(
          ['r1', 'r2'],
        );
        expect(
          (await store.bus.listReplays('', 'RUNNING', null, null, 10)).map((r) => r.name),
        ).toEqual(['r2']);
        expect(
          (await store.bus.listReplays('', null, 'arn:archive/a', 'r1', 10)).map((r) => r.name),
        ).toEqual(['x1']);
        expect(await store.bus.getReplay('r1')).toEqual(replay('r1'));
      });

      it('a conditional update commits its events with the progress, or writes nothing', async () => {
        const t0 = clock.now();
        await store.bus.createReplay(replay('r'));
        const step = {
          state: 'RUNNING' as const,
          replayed: 2,
          cursor: { eventTime: 5, position: 9 },
          updatedAt: t0 + 1,
        };
        const events = [event(1, { replayName: 'r' }), event(2, { replayName: 'r' })];
        // Wrong expectation of the last write: nothing happens, the events are not appended.
        expect(
          await store.bus.updateReplay(
            'r',
            step,
            { stateIn: ['STARTING'], updatedAt: t0 - 1 },
            events,
          ),
        ).toBeUndefined();
        expect(await dispatchAll(store, 10, () => NOTHING)).toBe(0);
        const next = await store.bus.updateReplay(
          'r',
          step,
          { stateIn: ['STARTING'], updatedAt: t0 },
          events,
        );
        expect(next).toMatchObject({
          state: 'RUNNING',
          replayed: 2,
          cursor: { eventTime: 5, position: 9 },
          updatedAt: t0 + 1,
        });
        const seen: StoredBusEvent[] = [];
        await dispatchAll(store, 10, (es) => {
          seen.push(...es);
          return NOTHING;
        });
        expect(seen.map((e) => e.replayName)).toEqual(['r', 'r']);
        // Adoption: only once the last write is older than the given time.
        expect(
          await store.bus.updateReplay(
            'r',
            { updatedAt: t0 + 5 },
            { stateIn: ['RUNNING'], updatedBefore: t0 + 1 },
          ),
        ).toBeUndefined();
        expect(
          await store.bus.updateReplay(
            'r',
            { updatedAt: t0 + 5 },
            { stateIn: ['RUNNING'], updatedBefore: t0 + 2 },
          ),
        ).toBeDefined();
        expect(
          await store.bus.updateReplay(
            'r',
            { state: 'CANCELLED', updatedAt: t0 + 6 },
            { stateIn: ['STARTING'] },
          ),
        ).toBeUndefined();
        expect(
          await store.bus.updateReplay('nope', { updatedAt: 1 }, { stateIn: ['RUNNING'] }),
        ).toBeUndefined();
      });
    });
  });
}

const ok = (clock: FakeClock) => ({ at: clock.now(), ok: true, error: null, message: null });
