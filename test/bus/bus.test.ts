import { beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { DeliveryError } from '../../src/bus/invoke.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast, waitFor } from '../helpers/ballast.js';
import { afterEach } from 'vitest';
import { codeOf } from '../helpers/errors.js';

const entry = (detail: unknown = { n: 1 }, extra: Record<string, unknown> = {}) => ({
  source: 'shop',
  detailType: 'OrderPlaced',
  detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
  ...extra,
});

describe('event bus (deterministic: dispatch and delivery driven by the test)', () => {
  let b: Ballast;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    // random 1: every retry waits exactly its ceiling (1 s, 2 s, 4 s…).
    b = await openTestBallast({ clock, bus: { background: false, worker: { random: () => 1 } } });
  });
  afterEach(() => b.close());

  const queueArn = (name: string) => b.queues.arn(name);
  async function drain(name: string): Promise<string[]> {
    const q = await b.queues.get(name);
    const got = await q.receive({ maxMessages: 10 });
    for (const m of got) await q.delete(m.receiptHandle);
    return got.map((m) => m.body);
  }

  describe('putEvents', () => {
    it('answers per entry in request order; a bad entry fails alone', async () => {
      const r = await b.bus.putEvents([
        entry(),
        entry('{"broken'),
        { source: 'shop', detailType: 'x' },
        entry({}, { source: 'aws.ec2' }),
        entry({}, { eventBusName: 'nope' }),
        entry({ big: 'x'.repeat(1_048_600) }),
        entry([1, 2]),
      ]);
      expect(r.failedEntryCount).toBe(6);
      expect(r.entries[0]).toHaveProperty('eventId');
      expect(r.entries.slice(1).map((e) => ('errorCode' in e ? e.errorCode : 'ok'))).toEqual([
        'MalformedDetail',
        'InvalidArgument',
        'NotAuthorizedForSourceException',
        'ResourceNotFoundException',
        'InvalidArgument',
        'MalformedDetail',
      ]);
      expect(await b.bus.dispatchOnce()).toBe(1);
    });

    it('rejects a request with no complete entry, and more than 10 entries', async () => {
      expect(await codeOf(b.bus.putEvents([{ source: 'a' }]))).toBe('ValidationException');
      expect(await codeOf(b.bus.putEvents(Array.from({ length: 11 }, () => entry())))).toBe(
        'ValidationException',
      );
      expect(await codeOf(b.bus.putEvents([]))).toBe('ValidationException');
    });
  });

  describe('rules → queue targets', () => {
    it("delivers the full envelope, keeping the publisher's exact detail text", async () => {
      await b.queues.create('orders');
      await b.bus.putRule('placed', {
        eventPattern: { source: ['shop'], 'detail-type': ['OrderPlaced'] },
      });
      await b.bus.putTargets('placed', [{ id: 'q', arn: queueArn('orders') }]);
      const r = await b.bus.putEvents([
        entry('{"total": 300.0}', { resources: ['arn:x'] }),
        entry({}, { detailType: 'Other' }),
      ]);
      await b.bus.dispatchOnce();
      const bodies = await drain('orders');
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toContain('"detail":{"total": 300.0}');
      expect(JSON.parse(bodies[0]!)).toMatchObject({
        version: '0',
        id: 'eventId' in r.entries[0]! ? r.entries[0].eventId : '',
        'detail-type': 'OrderPlaced',
        source: 'shop',
        account: '000000000000',
        region: 'us-east-1',
        resources: ['arn:x'],
        time: new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      });
    });

    it("shapes input per target, and puts a FIFO target's messages in its message group", async () => {
      await b.queues.create('plain');
      await b.queues.create('ordered.fifo', { fifo: true });
      await b.bus.putRule('r', { eventPattern: '{"source":["shop"]}' });
      await b.bus.putTargets('r', [
        { id: 'path', arn: queueArn('plain'), inputPath: '$.detail' },
        {
          id: 'fifo',
          arn: queueArn('ordered.fifo'),
          sqsParameters: { messageGroupId: 'g1' },
          inputTransformer: { inputPathsMap: { n: '$.detail.n' }, inputTemplate: '{"n": <n>}' },
        },
      ]);
      await b.bus.putEvents([entry({ n: 1 }), entry({ n: 2 })]);
      await b.bus.dispatchOnce();
      expect(await drain('plain')).toEqual(['{"n":1}', '{"n":2}']);
      const fifo = await (await b.queues.get('ordered.fifo')).receive({ maxMessages: 10 });
      expect(fifo.map((m) => [m.body, m.groupId])).toEqual([
        ['{"n": 1}', 'g1'],
        ['{"n": 2}', 'g1'],
      ]);
    });

    it('an event put after a rule change is matched with the new rules, even if dispatch compiled just before the change', async () => {
      await b.queues.create('late-q');
      await b.bus.putRule('late', { eventPattern: { source: ['shop'] } });
      await b.bus.dispatchOnce(); // compiles the rules: one rule, no targets yet
      const original = b.store.bus.dispatch.bind(b.store.bus);
      let raced = false;
      // The change and the event land between the dispatcher's compile and its claim.
      b.store.bus.dispatch = async (limit, plan) => {
        if (!raced) {
          raced = true;
          await b.bus.putTargets('late', [{ id: 'q', arn: queueArn('late-q') }]);
          await b.bus.putEvents([entry({ n: 9 })]);
        }
        return original(limit, plan);
      };
      await b.bus.dispatchOnce();
      expect(raced).toBe(true);
      expect(
        (await drain('late-q')).map((x) => (JSON.parse(x) as { detail: unknown }).detail),
      ).toEqual([{ n: 9 }]);
    });

    it('a disabled rule matches nothing until enabled again', async () => {
      await b.queues.create('q');
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] }, state: 'DISABLED' });
      await b.bus.putTargets('r', [{ id: 't', arn: queueArn('q') }]);
      await b.bus.putEvents([entry({ n: 1 })]);
      await b.bus.dispatchOnce();
      expect(await drain('q')).toEqual([]);
      await b.bus.enableRule('r');
      expect((await b.bus.describeRule('r')).state).toBe('ENABLED');
      await b.bus.putEvents([entry({ n: 2 })]);
      await b.bus.dispatchOnce();
      expect((await drain('q')).map((x) => (JSON.parse(x) as { detail: unknown }).detail)).toEqual([
        { n: 2 },
      ]);
    });

    it("a missing queue is a non-retryable NO_RESOURCE: straight to the target's dead-letter queue, with the attributes", async () => {
      await b.queues.create('dlq');
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [
        { id: 't', arn: queueArn('gone'), deadLetterConfig: { arn: queueArn('dlq') } },
      ]);
      const put = await b.bus.putEvents([entry()]);
      await b.bus.dispatchOnce();
      expect(await b.bus.deliverOnce()).toBe(1);
      const [dead] = await (await b.queues.get('dlq')).receive({ maxMessages: 10 });
      expect(dead && JSON.parse(dead.body)).toMatchObject({ source: 'shop', detail: { n: 1 } });
      const attrs = Object.fromEntries(
        Object.entries(dead?.messageAttributes ?? {}).map(([k, v]) => [k, v.stringValue]),
      );
      expect(attrs).toEqual({
        RULE_ARN: b.bus.ruleArn('r'),
        TARGET_ARN: queueArn('gone'),
        ERROR_CODE: 'NO_RESOURCE',
        ERROR_MESSAGE: 'The queue gone does not exist.',
        RETRY_ATTEMPTS: '0',
      });
      const trace = await b.bus.trace('eventId' in put.entries[0]! ? put.entries[0].eventId : '');
      expect(trace?.deliveries.map((d) => [d.targetId, d.state, d.attempts])).toEqual([
        ['t', 'dead-lettered', 1],
      ]);
    });
  });

  describe('function targets: retries, dead letters, isolation', () => {
    it('retries a failing function with backoff until it succeeds; the trace shows every attempt', async () => {
      let calls = 0;
      b.bus.registerFunction('flaky', (_event, ctx) => {
        calls++;
        expect(ctx.attempt).toBe(calls);
        if (calls < 3) throw new Error(`failure ${calls}`);
      });
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [{ id: 'fn', arn: b.bus.functionArn('flaky') }]);
      const put = await b.bus.putEvents([entry()]);
      await b.bus.dispatchOnce();
      expect(await b.bus.deliverOnce()).toBe(1);
      expect(await b.bus.deliverOnce()).toBe(0); // waiting 1 s (first retry's ceiling)
      clock.advance(1000);
      expect(await b.bus.deliverOnce()).toBe(1);
      clock.advance(1999);
      expect(await b.bus.deliverOnce()).toBe(0);
      clock.advance(1);
      expect(await b.bus.deliverOnce()).toBe(1);
      expect(calls).toBe(3);
      const trace = await b.bus.trace('eventId' in put.entries[0]! ? put.entries[0].eventId : '');
      expect(trace?.deliveries[0]?.state).toBe('delivered');
      expect(trace?.deliveries[0]?.history.map((h) => [h.ok, h.error, h.message])).toEqual([
        [false, 'HANDLER_ERROR', 'failure 1'],
        [false, 'HANDLER_ERROR', 'failure 2'],
        [true, null, null],
      ]);
    });

    it('after MaximumRetryAttempts the event goes to the dead-letter queue with EXHAUSTED_RETRY_CONDITION', async () => {
      await b.queues.create('dlq');
      b.bus.registerFunction('down', () => {
        throw new DeliveryError('HTTP_503', 'unavailable', true);
      });
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [
        {
          id: 'fn',
          arn: b.bus.functionArn('down'),
          retryPolicy: { maximumRetryAttempts: 2 },
          deadLetterConfig: { arn: queueArn('dlq') },
        },
      ]);
      await b.bus.putEvents([entry()]);
      await b.bus.dispatchOnce();
      for (const wait of [0, 1000, 2000]) {
        clock.advance(wait);
        expect(await b.bus.deliverOnce()).toBe(1);
      }
      const [dead] = await (await b.queues.get('dlq')).receive({ maxMessages: 10 });
      const attrs = Object.fromEntries(
        Object.entries(dead?.messageAttributes ?? {}).map(([k, v]) => [k, v.stringValue]),
      );
      expect(attrs).toMatchObject({
        ERROR_CODE: 'HTTP_503',
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        RETRY_ATTEMPTS: '2',
      });
    });

    it('a non-retryable error skips the retries; an event past its maximum age is dropped', async () => {
      await b.queues.create('dlq');
      b.bus.registerFunction('refuses', () => {
        throw new DeliveryError('HTTP_400', 'bad request', false);
      });
      const dropped: string[] = [];
      b.bus.events.on('delivery:dropped', (e) => dropped.push(e.reason));
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [
        { id: 'fn', arn: b.bus.functionArn('refuses'), deadLetterConfig: { arn: queueArn('dlq') } },
      ]);
      await b.bus.putEvents([entry()]);
      await b.bus.dispatchOnce();
      expect(await b.bus.deliverOnce()).toBe(1);
      const [dead] = await (await b.queues.get('dlq')).receive({ maxMessages: 10 });
      expect(dead?.messageAttributes?.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
      expect(dead?.messageAttributes?.ERROR_CODE?.stringValue).toBe('HTTP_400');

      b.bus.registerFunction('slow-to-come-back', () => {
        throw new Error('still down');
      });
      await b.bus.putRule('r2', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r2', [
        {
          id: 'fn',
          arn: b.bus.functionArn('slow-to-come-back'),
          retryPolicy: { maximumEventAgeInSeconds: 60 },
        },
      ]);
      await b.bus.putEvents([entry({ n: 2 })]);
      await b.bus.dispatchOnce();
      await b.bus.deliverOnce(); // r's target refuses again (dropped), r2's fails and waits 1 s
      clock.advance(61_000);
      expect(await b.bus.deliverOnce()).toBe(1);
      expect(dropped.at(-1)).toBe('The event is older than MaximumEventAgeInSeconds.');
    });

    it('a target down for ten minutes gets every event once it is back; publishing never waited', async () => {
      let up = false;
      const got = new Set<number>();
      b.bus.registerFunction('flaky-service', (e) => {
        if (!up) throw new DeliveryError('HTTP_503', 'down', true);
        got.add((e.detail as { n: number }).n);
      });
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [{ id: 'svc', arn: b.bus.functionArn('flaky-service') }]);
      for (let i = 0; i < 20; i++) {
        const r = await b.bus.putEvents([entry({ n: i })]);
        expect(r.failedEntryCount).toBe(0);
      }
      await b.bus.dispatchOnce();
      // Ten minutes of failures, attempted whenever a retry is due (backoff capped at 300 s).
      for (let t = 0; t < 600; t += 10) {
        await b.bus.deliverOnce();
        clock.advance(10_000);
      }
      expect(got.size).toBe(0);
      up = true;
      for (let t = 0; t < 600 && got.size < 20; t += 10) {
        await b.bus.deliverOnce();
        clock.advance(10_000);
      }
      expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('a stuck target holds only its own slots: other targets of the same event are delivered', async () => {
      await b.queues.create('fast-q');
      let release!: () => void;
      const stuck = new Promise<void>((r) => (release = r));
      const fast: unknown[] = [];
      b.bus.registerFunction('stuck', () => stuck);
      b.bus.registerFunction('fast', (e) => void fast.push(e.detail));
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [
        { id: 'stuck', arn: b.bus.functionArn('stuck') },
        { id: 'fast', arn: b.bus.functionArn('fast') },
        { id: 'q', arn: queueArn('fast-q') },
      ]);
      // The publisher is never held up by a target.
      await b.bus.putEvents([entry({ n: 1 })]);
      await b.bus.dispatchOnce();
      expect(await drain('fast-q')).toHaveLength(1);
      const delivering = b.bus.deliverOnce();
      await waitFor(() => fast.length === 1);
      expect(fast).toEqual([{ n: 1 }]);
      release();
      expect(await delivering).toBe(2);
    });
  });

  describe('scheduled rules', () => {
    it("fire once per period with EventBridge's Scheduled Event, to that rule's targets only", async () => {
      await b.queues.create('ticks');
      await b.bus.putRule('every-minute', { scheduleExpression: 'rate(1 minute)' });
      await b.bus.putTargets('every-minute', [{ id: 'q', arn: queueArn('ticks') }]);
      // A pattern rule on the same bus never sees the scheduled events.
      await b.queues.create('other');
      await b.bus.putRule('everything', { eventPattern: { 'detail-type': [{ exists: true }] } });
      await b.bus.putTargets('everything', [{ id: 'q', arn: queueArn('other') }]);
      expect((await b.bus.describeRule('every-minute')).scheduleExpression).toBe('rate(1 minute)');
      expect(await b.bus.fireSchedulesOnce()).toBe(0);
      clock.advance(60_000);
      expect(await b.bus.fireSchedulesOnce()).toBe(1);
      expect(await b.bus.fireSchedulesOnce()).toBe(0);
      await b.bus.dispatchOnce();
      const [tick] = (await drain('ticks')).map((x) => JSON.parse(x) as Record<string, unknown>);
      expect(tick).toMatchObject({
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        resources: [b.bus.ruleArn('every-minute')],
        detail: {},
        time: new Date(clock.now()).toISOString().replace('.000Z', 'Z'),
      });
      expect(await drain('other')).toEqual([]);
      // Three periods missed (no process ran): one firing, then the next counts from now.
      clock.advance(180_000);
      expect(await b.bus.fireSchedulesOnce()).toBe(1);
      clock.advance(59_999);
      expect(await b.bus.fireSchedulesOnce()).toBe(0);
    });

    it('validates expressions; schedules only on the default bus; disabled rules do not fire', async () => {
      expect(await codeOf(b.bus.putRule('bad', { scheduleExpression: 'rate(1 minutes)' }))).toBe(
        'ValidationException',
      );
      await b.bus.createEventBus('custom');
      expect(
        await codeOf(
          b.bus.putRule('r', { scheduleExpression: 'rate(5 minutes)', eventBusName: 'custom' }),
        ),
      ).toBe('ValidationException');
      await b.bus.putRule('nightly', {
        scheduleExpression: 'cron(0 3 * * ? *)',
        state: 'DISABLED',
      });
      clock.advance(86_400_000);
      expect(await b.bus.fireSchedulesOnce()).toBe(0);
    });
  });

  describe('configuration', () => {
    it('validates rules and targets with precise errors; at most 5 targets per rule', async () => {
      expect(await codeOf(b.bus.putRule('bad name!', { eventPattern: { source: ['x'] } }))).toBe(
        'ValidationException',
      );
      expect(await codeOf(b.bus.putRule('r', {}))).toBe('ValidationException');
      expect(await codeOf(b.bus.putRule('r', { eventPattern: '{"source":"x"}' }))).toBe(
        'InvalidEventPatternException',
      );
      expect(
        await codeOf(b.bus.putRule('r', { eventPattern: { source: ['x'] }, eventBusName: 'nope' })),
      ).toBe('ResourceNotFoundException');
      await b.bus.putRule('r', { eventPattern: { source: ['x'] } });
      const r = await b.bus.putTargets('r', [
        { id: 'ok', arn: queueArn('q') },
        { id: 'bad', arn: 'arn:aws:sns:us-east-1:000000000000:topic' },
        { id: 'dlq', arn: queueArn('q'), deadLetterConfig: { arn: queueArn('d.fifo') } },
      ]);
      expect(r.failedEntries.map((f) => [f.targetId, f.errorCode])).toEqual([
        ['bad', 'ValidationException'],
        ['dlq', 'ValidationException'],
      ]);
      const many = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, arn: queueArn('q') }));
      expect(await codeOf(b.bus.putTargets('r', many))).toBe('LimitExceededException');
      expect((await b.bus.listTargetsByRule('r')).targets.map((t) => t.id)).toEqual(['ok']);
      expect(await codeOf(b.bus.deleteRule('r'))).toBe('ValidationException');
      await b.bus.removeTargets('r', ['ok']);
      await b.bus.deleteRule('r');
      expect(await codeOf(b.bus.describeRule('r'))).toBe('ResourceNotFoundException');
    });

    it('buses: create, describe, list in pages, refuse to delete one with rules or the default', async () => {
      await b.bus.createEventBus('orders', { description: 'order events' });
      expect(await codeOf(b.bus.createEventBus('orders'))).toBe('ResourceAlreadyExistsException');
      expect(await b.bus.describeEventBus('orders')).toMatchObject({
        name: 'orders',
        description: 'order events',
        arn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders',
      });
      const first = await b.bus.listEventBuses({ limit: 1 });
      expect(first.eventBuses.map((x) => x.name)).toEqual(['default']);
      const second = await b.bus.listEventBuses({
        limit: 1,
        ...(first.nextToken ? { nextToken: first.nextToken } : {}),
      });
      expect(second.eventBuses.map((x) => x.name)).toEqual(['orders']);
      await b.bus.putRule('r', { eventPattern: { source: ['x'] }, eventBusName: 'orders' });
      expect((await b.bus.listRules({ eventBusName: 'orders' })).rules.map((r) => r.arn)).toEqual([
        'arn:aws:events:us-east-1:000000000000:rule/orders/r',
      ]);
      expect(await codeOf(b.bus.deleteEventBus('orders'))).toBe('ValidationException');
      expect(await codeOf(b.bus.deleteEventBus('default'))).toBe('ValidationException');
      await b.bus.deleteRule('r', { eventBusName: 'orders' });
      await b.bus.deleteEventBus('orders');
      expect(await codeOf(b.bus.describeEventBus('orders'))).toBe('ResourceNotFoundException');
    });

    it("events put to a named bus match only that bus's rules", async () => {
      await b.queues.create('q');
      await b.bus.createEventBus('other');
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] }, eventBusName: 'other' });
      await b.bus.putTargets('r', [{ id: 't', arn: queueArn('q') }], { eventBusName: 'other' });
      await b.bus.putEvents([
        entry({ bus: 'default' }),
        entry({ bus: 'other' }, { eventBusName: 'other' }),
      ]);
      await b.bus.dispatchOnce();
      expect((await drain('q')).map((x) => (JSON.parse(x) as { detail: unknown }).detail)).toEqual([
        { bus: 'other' },
      ]);
    });
  });
});

describe('archives and replays', () => {
  let b: Ballast;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    b = await openTestBallast({ clock, bus: { background: false } });
  });
  afterEach(() => b.close());

  it('archives matching events at dispatch and replays a time window to the bus, marked and not re-archived', async () => {
    await b.queues.create('q');
    const busArn = b.bus.busArn('default');
    await b.bus.archives.create('all', busArn);
    await b.bus.archives.create('big-only', busArn, {
      eventPattern: { detail: { n: [{ numeric: ['>=', 2] }] } },
      retentionDays: 7,
    });
    const t0 = clock.now();
    await b.bus.putEvents([1, 2, 3].map((n) => entry({ n }, { time: t0 + n * 60_000 })));
    await b.bus.dispatchOnce();
    expect(await b.bus.archives.describe('all')).toMatchObject({
      eventCount: 3,
      state: 'ENABLED',
      retentionDays: 0,
      eventSourceArn: busArn,
    });
    expect((await b.bus.archives.describe('big-only')).eventCount).toBe(2);

    // A rule added after the fact gets the history through a replay.
    await b.bus.putRule('late', { eventPattern: { source: ['shop'] } });
    await b.bus.putTargets('late', [{ id: 'q', arn: b.queues.arn('q') }]);
    const started = await b.bus.replays.start({
      replayName: 'catch-up',
      eventSourceArn: b.bus.archives.arn('all'),
      eventStartTime: t0 + 60_000,
      eventEndTime: t0 + 3 * 60_000,
      destination: { arn: busArn, filterArns: [b.bus.ruleArn('late')] },
    });
    expect(started.state).toBe('STARTING');
    const done = await b.bus.replays.wait('catch-up');
    expect(done).toMatchObject({
      state: 'COMPLETED',
      replayedEvents: 2,
      eventLastReplayedTime: t0 + 2 * 60_000,
    });
    await b.bus.dispatchOnce();
    const got = await (await b.queues.get('q')).receive({ maxMessages: 10 });
    expect(
      got
        .map((m) => JSON.parse(m.body) as Record<string, unknown>)
        .map((e) => [e['replay-name'], e.detail]),
    ).toEqual([
      ['catch-up', { n: 1 }],
      ['catch-up', { n: 2 }],
    ]);
    // Replayed events are never archived again.
    expect((await b.bus.archives.describe('all')).eventCount).toBe(3);
  });

  it('an idempotent function target runs once per event, even when a replay delivers it again', async () => {
    const { createIdempotency } = await import('../../src/idempotency/index.js');
    const idem = createIdempotency({ store: b.store, clock });
    const seen: unknown[] = [];
    b.bus.registerFunction('charge', (e) => void seen.push(e.detail), { idempotency: idem });
    await b.bus.archives.create('all', b.bus.busArn('default'));
    await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
    await b.bus.putTargets('r', [{ id: 'f', arn: b.bus.functionArn('charge') }]);
    await b.bus.putEvents([entry({ n: 1 })]);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    await b.bus.replays.start({
      replayName: 'again',
      eventSourceArn: 'all',
      eventStartTime: 0,
      eventEndTime: clock.now() + 1,
      destination: { arn: b.bus.busArn('default') },
    });
    await b.bus.replays.wait('again');
    await b.bus.dispatchOnce();
    expect(await b.bus.deliverOnce()).toBe(1);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('a transactional function target writes through the store transaction once per event; its failed attempt writes nothing', async () => {
    const { createIdempotency } = await import('../../src/idempotency/index.js');
    const idem = createIdempotency({ store: b.store, clock });
    await idem.runInTransaction(
      { key: 'schema' },
      (tx) => void (tx.dialect === 'sqlite' && tx.db.exec('CREATE TABLE charges (detail TEXT)')),
    );
    let attempts = 0;
    b.bus.registerFunction(
      'charge',
      (e, ctx) => {
        if (ctx.transaction?.dialect !== 'sqlite')
          throw new Error('expected the SQLite transaction');
        ctx.transaction.db.prepare('INSERT INTO charges VALUES (?)').run(JSON.stringify(e.detail));
        if (++attempts === 1) throw new Error('first attempt fails after writing');
      },
      { idempotency: idem, transactional: true },
    );
    expect(() => b.bus.registerFunction('bad', () => undefined, { transactional: true })).toThrow(
      /needs an idempotency helper/,
    );
    await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
    await b.bus.putTargets('r', [{ id: 'f', arn: b.bus.functionArn('charge') }]);
    await b.bus.putEvents([entry({ n: 1 })]);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    clock.advance(120_000);
    await b.bus.deliverOnce();
    expect(attempts).toBe(2);
    const rows = await idem.runInTransaction({ key: 'read' }, (tx) =>
      tx.dialect === 'sqlite' ? tx.db.prepare('SELECT detail FROM charges').all() : [],
    );
    expect(rows.value).toEqual([{ detail: '{"n":1}' }]);
  });

  it('validates replays: window, destination bus, filter rules, cancel only while active', async () => {
    const busArn = b.bus.busArn('default');
    await b.bus.archives.create('a', busArn);
    await b.bus.createEventBus('other');
    const base = {
      replayName: 'r',
      eventSourceArn: 'a',
      eventStartTime: 10,
      eventEndTime: 20,
      destination: { arn: busArn },
    };
    expect(await codeOf(b.bus.replays.start({ ...base, eventEndTime: 5 }))).toBe(
      'ValidationException',
    );
    expect(
      await codeOf(b.bus.replays.start({ ...base, destination: { arn: b.bus.busArn('other') } })),
    ).toBe('ValidationException');
    expect(
      await codeOf(
        b.bus.replays.start({
          ...base,
          destination: { arn: busArn, filterArns: [b.bus.ruleArn('nope')] },
        }),
      ),
    ).toBe('ResourceNotFoundException');
    expect(await codeOf(b.bus.replays.start({ ...base, eventSourceArn: 'missing' }))).toBe(
      'ResourceNotFoundException',
    );
    await b.bus.replays.start(base);
    expect(await codeOf(b.bus.replays.start(base))).toBe('ResourceAlreadyExistsException');
    expect((await b.bus.replays.wait('r')).state).toBe('COMPLETED');
    expect(await codeOf(b.bus.replays.cancel('r'))).toBe('IllegalStatusException');
    expect(
      (await b.bus.replays.list({ state: 'COMPLETED' })).replays.map((r) => r.replayName),
    ).toEqual(['r']);
    expect(await codeOf(b.bus.archives.create('a', busArn))).toBe('ResourceAlreadyExistsException');
    expect(await codeOf(b.bus.archives.create('bad', busArn, { eventPattern: '{"x":1}' }))).toBe(
      'InvalidEventPatternException',
    );
    await b.bus.archives.delete('a');
    expect(await codeOf(b.bus.archives.describe('a'))).toBe('ResourceNotFoundException');
  });
});

describe('event bus (background dispatch and delivery)', () => {
  it('an event reaches a queue target and a function target without anyone driving it', async () => {
    const b = await openTestBallast();
    try {
      await b.queues.create('q');
      const seen: unknown[] = [];
      b.bus.registerFunction('f', (e) => void seen.push(e.detail));
      await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('r', [
        { id: 'q', arn: b.queues.arn('q') },
        { id: 'f', arn: b.bus.functionArn('f') },
      ]);
      await b.bus.putEvents([entry({ n: 42 })]);
      const q = await b.queues.get('q');
      // Dispatch runs in the background: a loaded machine may take seconds over it.
      const [m] = await q.receive({ waitTimeSeconds: 15 });
      expect(JSON.parse(m!.body)).toMatchObject({ detail: { n: 42 } });
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([{ n: 42 }]);
    } finally {
      await b.close();
    }
  });
});
