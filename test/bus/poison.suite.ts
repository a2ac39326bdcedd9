/**
 * A poison event never blocks the bus: an event that cannot be matched or shaped is parked with
 * its error (visible in its trace, in `parkedEvents`, in metrics and logs) and the events behind
 * it are delivered. Shared by the SQLite and PostgreSQL files.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { randomUUID } from 'node:crypto';
import { prng } from '../../src/testing/prng.js';

/** Hostile envelopes (JSON text, or not), as a stored log could hold them: each is different. */
function hostileBody(random: () => number, n: number, id: string): string {
  const head = `{"version":"0","id":"${id}","detail-type":"T","source":"shop","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[]`;
  const deep = (depth: number, open: string, close: string) =>
    open.repeat(depth) + close.repeat(depth);
  switch (n % 9) {
    case 0: // nested past the matcher's limit where a rule looks
      return `${head},"detail":{"status":${deep(1_000 + Math.floor(random() * 5_000), '[', ']')}}}`;
    case 1: // objects nested past it
      return `${head},"detail":{"status":${'{"a":'.repeat(1_200)}1${'}'.repeat(1_200)}}}`;
    case 2: // not JSON at all
      return `${head},"detail":{"status":"paid"`;
    case 3: // detail is not an object
      return `${head},"detail":[1,2,3]}`;
    case 4: // a huge flat array where a rule looks
      return `${head},"detail":{"status":[${Array.from({ length: 20_000 }, () => '"x"').join(',')}]}}`;
    case 5: // numbers no double holds, odd keys
      return `${head},"detail":{"status":1e999,"__proto__":{"status":"paid"},"sta.tus":"paid","":null}}`;
    case 6: // deep where no rule looks (must be delivered like any other event)
      return `${head},"detail":{"other":${deep(3_000, '[', ']')},"status":"paid","n":-1}}`;
    case 7: // lone surrogates and control characters as escapes
      return `${head},"detail":{"status":"\\ud800\\u0000paid"}}`;
    default: // an envelope without detail
      return `${head}}`;
  }
}

/** An event envelope whose `detail.status` nests `depth` arrays (JSON text, ~2 KB at 1,000). */
export function deepEvent(depth: number): string {
  const status = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return (
    JSON.stringify({
      version: '0',
      id: randomUUID(),
      'detail-type': 'T',
      source: 'shop',
      account: '000000000000',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
    }).slice(0, -1) + `,"detail":{"status":${status}}}`
  );
}

/** Puts a stored envelope straight into the store's log (as an older Ballast, or a replay, could have). */
export async function putRaw(
  b: Ballast,
  body: string,
  eventId = (JSON.parse(body) as { id: string }).id,
): Promise<string> {
  const bus = await b.store.bus.getBus('default');
  await b.store.bus.putEvents([
    { busId: bus!.id, eventId, body, eventTime: Date.now(), replayName: null, onlyRuleIds: null },
  ]);
  return eventId;
}

export function poisonSuite(open: () => Promise<Ballast>): void {
  describe('a poison event is parked with its error; the events behind it are delivered', () => {
    let b: Ballast;
    beforeEach(async () => {
      b = await open();
      await b.queues.create('sink');
      await b.bus.putRule('by-status', {
        eventPattern: { source: ['shop'], detail: { status: ['paid'] } },
      });
      await b.bus.putTargets('by-status', [{ id: 'q', arn: b.queues.arn('sink') }]);
      await b.bus.putRule('all', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('all', [{ id: 'q', arn: b.queues.arn('sink') }]);
    });
    afterEach(() => b.close());

    it('an event nested deeper than the matcher follows (stored before the PutEvents limit) does not stop dispatch', async () => {
      const poison = await putRaw(b, deepEvent(1_000));
      const good = await b.bus.putEvents([
        { source: 'shop', detailType: 'T', detail: '{"status":"paid"}' },
      ]);
      expect(good.failedEntryCount).toBe(0);
      // Everything in the inbox is handled in one go: nothing is left behind the poison.
      while ((await b.bus.dispatchOnce()) > 0);
      const q = await b.queues.get('sink');
      const got = await q.receive({ maxMessages: 10 });
      expect(got.map((m) => (JSON.parse(m.body) as { detail: unknown }).detail)).toEqual([
        { status: 'paid' },
        { status: 'paid' },
      ]);
      const trace = await b.bus.trace(poison);
      expect(trace?.dispatched).toBe(true);
      expect(trace?.dispatchError).toMatchObject({ code: 'ValidationException' });
      expect(trace?.dispatchError?.message).toMatch(/nested deeper than 1000/);
      expect(trace?.deliveries).toEqual([]);
      const parked = await b.bus.parkedEvents();
      expect(parked.map((p) => p.eventId)).toEqual([poison]);
      expect(parked[0]?.error.code).toBe('ValidationException');
    });

    it('the dispatch:parked event reports it (the server logs it and counts it)', async () => {
      const seen: { eventId: string; code: string }[] = [];
      b.bus.events.on('dispatch:parked', (e) => seen.push({ eventId: e.eventId, code: e.code }));
      const poison = await putRaw(b, deepEvent(1_200));
      while ((await b.bus.dispatchOnce()) > 0);
      expect(seen).toEqual([{ eventId: poison, code: 'ValidationException' }]);
    });

    it('a parked event can be dispatched again once the cause is gone (the rule removed)', async () => {
      const poison = await putRaw(b, deepEvent(1_000));
      while ((await b.bus.dispatchOnce()) > 0);
      expect((await b.bus.parkedEvents()).length).toBe(1);
      await b.bus.removeTargets('by-status', ['q']);
      await b.bus.deleteRule('by-status');
      expect(await b.bus.redispatchParked()).toBe(1);
      while ((await b.bus.dispatchOnce()) > 0);
      expect(await b.bus.parkedEvents()).toEqual([]);
      const trace = await b.bus.trace(poison);
      expect(trace?.dispatchError).toBeNull();
      expect(trace?.deliveries.map((d) => d.state)).toEqual(['delivered']);
    });

    it('fuzz: hostile events interleaved with good ones never stop dispatch; every good event is delivered once; nothing is left in the inbox', async () => {
      const random = prng(0x5eed);
      const good: number[] = [];
      const hostile: string[] = [];
      for (let i = 0; i < 60; i++) {
        if (random() < 0.5) {
          const id = randomUUID();
          hostile.push(await putRaw(b, hostileBody(random, hostile.length, id), id));
        } else {
          const r = await b.bus.putEvents([
            { source: 'shop', detailType: 'T', detail: JSON.stringify({ status: 'paid', n: i }) },
          ]);
          expect(r.failedEntryCount).toBe(0);
          good.push(i);
        }
      }
      for (let i = 0; i < 200 && (await b.bus.dispatchOnce()) > 0; i++);
      expect(await b.bus.dispatchOnce()).toBe(0);
      const q = await b.queues.get('sink');
      const got: number[] = [];
      for (;;) {
        const batch = await q.receive({ maxMessages: 10 });
        if (batch.length === 0) break;
        for (const m of batch) {
          const n = (JSON.parse(m.body) as { detail?: { n?: unknown } }).detail?.n;
          if (typeof n === 'number' && n >= 0) got.push(n);
          await q.delete(m.receiptHandle);
        }
      }
      // Both rules match a good event: two messages each.
      expect(got.sort((x, y) => x - y)).toEqual(good.flatMap((n) => [n, n]));
      // Each hostile event was dispatched or parked, none is waiting.
      for (const id of hostile) {
        const trace = await b.bus.trace(id);
        expect(trace?.dispatched, id).toBe(true);
      }
      const parked = await b.bus.parkedEvents({ limit: 1000 });
      expect(parked.length).toBeGreaterThan(0);
      expect(parked.every((p) => hostile.includes(p.eventId))).toBe(true);
    });

    it('PutEvents refuses a Detail nested deeper than the event limit, per entry; the entry beside it is accepted', async () => {
      const deep = `{"status":${'['.repeat(1_000)}${']'.repeat(1_000)}}`;
      const r = await b.bus.putEvents([
        { source: 'shop', detailType: 'T', detail: deep },
        { source: 'shop', detailType: 'T', detail: '{"status":"paid"}' },
      ]);
      expect(r.failedEntryCount).toBe(1);
      expect(r.entries[0]).toMatchObject({ errorCode: 'MalformedDetail' });
      expect((r.entries[0] as { errorMessage: string }).errorMessage).toMatch(/nest/);
      expect(r.entries[1]).toHaveProperty('eventId');
      // 998 levels inside detail (1,000 with the envelope and detail) is the deepest accepted.
      const edge = `{"status":${'['.repeat(998)}${']'.repeat(998)}}`;
      expect(
        (await b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: edge }]))
          .failedEntryCount,
      ).toBe(0);
      const over = `{"status":${'['.repeat(999)}${']'.repeat(999)}}`;
      expect(
        (await b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: over }]))
          .failedEntryCount,
      ).toBe(1);
      while ((await b.bus.dispatchOnce()) > 0);
      expect(await b.bus.parkedEvents()).toEqual([]);
    });
  });
}
