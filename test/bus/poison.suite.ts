/**
 * A poison event never blocks the bus: an event that cannot be matched or shaped is parked with
 * its error (visible in its trace, in `parkedEvents`, in metrics and logs) and the events behind
 * it are delivered. Shared by the SQLite and PostgreSQL files.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { randomUUID } from 'node:crypto';

/** An event envelope whose `detail.status` nests `depth` arrays (JSON text, ~2 KB at 1,000). */
export function deepEvent(depth: number): string {
  const status = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': 'T', source: 'shop', account: '000000000000', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [] }).slice(0, -1) + `,"detail":{"status":${status}}}`;
}

/** Puts a stored envelope straight into the store's log (as an older Ballast, or a replay, could have). */
export async function putRaw(b: Ballast, body: string): Promise<string> {
  const bus = await b.store.bus.getBus('default');
  const eventId = (JSON.parse(body) as { id: string }).id;
  await b.store.bus.putEvents([{ busId: bus!.id, eventId, body, eventTime: Date.now(), replayName: null, onlyRuleIds: null }]);
  return eventId;
}

export function poisonSuite(open: () => Promise<Ballast>): void {
  describe('a poison event is parked with its error; the events behind it are delivered', () => {
    let b: Ballast;
    beforeEach(async () => {
      b = await open();
      await b.queues.create('sink');
      await b.bus.putRule('by-status', { eventPattern: { source: ['shop'], detail: { status: ['paid'] } } });
      await b.bus.putTargets('by-status', [{ id: 'q', arn: b.queues.arn('sink') }]);
      await b.bus.putRule('all', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('all', [{ id: 'q', arn: b.queues.arn('sink') }]);
    });
    afterEach(() => b.close());

    it('an event nested deeper than the matcher follows (stored before the PutEvents limit) does not stop dispatch', async () => {
      const poison = await putRaw(b, deepEvent(1_000));
      const good = await b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: '{"status":"paid"}' }]);
      expect(good.failedEntryCount).toBe(0);
      // Everything in the inbox is handled in one go: nothing is left behind the poison.
      while ((await b.bus.dispatchOnce()) > 0);
      const q = await b.queues.get('sink');
      const got = await q.receive({ maxMessages: 10 });
      expect(got.map((m) => (JSON.parse(m.body) as { detail: unknown }).detail)).toEqual([{ status: 'paid' }, { status: 'paid' }]);
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
      expect((await b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: edge }])).failedEntryCount).toBe(0);
      const over = `{"status":${'['.repeat(999)}${']'.repeat(999)}}`;
      expect((await b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: over }])).failedEntryCount).toBe(1);
      while ((await b.bus.dispatchOnce()) > 0);
      expect(await b.bus.parkedEvents()).toEqual([]);
    });
  });
}
