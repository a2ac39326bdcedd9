/**
 * The ONE store contract suite: every driver runs it (test/store/<driver>.test.ts).
 * Time is a FakeClock injected into the driver; nothing here sleeps.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import type { QueueRecord, Store, StoreConditionEvent } from '../../src/store/contract.js';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from '../../src/queue/settings.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import type { DiskFaults } from '../helpers/disk.js';
import { testMessage } from '../helpers/messages.js';

/** Opens a fresh, empty store whose time comes from `clock`. */
export type StoreFactory = (clock: FakeClock) => Promise<Store>;

const standard: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS };
const fifo: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, fifo: true };
const VIS = 30_000;

const msg = testMessage;

/** Registers the contract suite for one driver; `faults` simulates a full disk (the outage tests skip without it). */
export function storeContract(driverName: string, open: StoreFactory, faults?: DiskFaults): void {
  describe(`store contract: ${driverName}`, () => {
    let store: Store;
    let clock: FakeClock;

    beforeEach(async () => {
      clock = new FakeClock();
      store = await open(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    async function create(name: string, settings: QueueSettings = standard): Promise<QueueRecord> {
      const r = await store.queues.createQueue(name, settings, {}, 60_000);
      if (r.status !== 'created') throw new Error(`expected created, got ${r.status}`);
      return r.queue;
    }
    const receive = (q: QueueRecord, max = 10, visibilityMs = VIS) =>
      store.queues.receive(q.id, { fifo: q.settings.fifo, max, visibilityMs });

    describe('queues', () => {
      it('creates once, then reports the existing queue', async () => {
        const q = await create('orders', { ...standard, visibilityTimeout: 45 });
        expect(q.settings.visibilityTimeout).toBe(45);
        const again = await store.queues.createQueue('orders', standard, {}, 60_000);
        expect(again.status).toBe('exists');
        if (again.status === 'exists') expect(again.queue.id).toBe(q.id);
      });

      it('blocks a deleted name for the cooldown, then makes a new queue', async () => {
        const q = await create('gone');
        expect(await store.queues.deleteQueue(q.id)).toBe(true);
        expect(await store.queues.deleteQueue(q.id)).toBe(false);
        expect(await store.queues.getQueue('gone')).toBeUndefined();
        const blocked = await store.queues.createQueue('gone', standard, {}, 60_000);
        expect(blocked.status).toBe('deletedRecently');
        clock.advance(60_001);
        const fresh = await create('gone');
        expect(fresh.id).not.toBe(q.id);
      });

      it('lists by literal prefix (an underscore is not a wildcard), in name order, paged', async () => {
        for (const n of ['a_1', 'a_2', 'ab', 'b_1', 'a_3']) await create(n);
        const page1 = await store.queues.listQueues('a_', null, 2);
        expect(page1.map((q) => q.name)).toEqual(['a_1', 'a_2']);
        const page2 = await store.queues.listQueues('a_', 'a_2', 2);
        expect(page2.map((q) => q.name)).toEqual(['a_3']);
        expect((await store.queues.listQueues('', null, 100)).length).toBe(5);
      });

      it('updates settings and tags', async () => {
        const q = await create('upd');
        clock.advance(1000);
        const u = await store.queues.updateQueue(q.id, {
          settings: { ...standard, delaySeconds: 5 },
          tags: { team: 'x' },
        });
        expect(u?.settings.delaySeconds).toBe(5);
        expect(u?.tags).toEqual({ team: 'x' });
        expect(u?.modifiedAt).toBe(q.createdAt + 1000);
        const t = await store.queues.updateQueue(q.id, { tags: {} });
        expect(t?.settings.delaySeconds).toBe(5);
        expect(t?.tags).toEqual({});
      });

      it('deleting a queue removes its messages', async () => {
        const q = await create('del');
        await store.queues.send(q.id, [msg('x')]);
        await store.queues.deleteQueue(q.id);
        clock.advance(60_001);
        const q2 = await create('del');
        expect(await receive(q2)).toEqual([]);
      });

      it('purges all messages, at most once per cooldown', async () => {
        const q = await create('purge');
        await store.queues.send(q.id, [msg('a'), msg('b')]);
        await receive(q, 1);
        expect(await store.queues.purgeQueue(q.id, 60_000)).toBe(true);
        expect(await store.queues.purgeQueue(q.id, 60_000)).toBe(false);
        clock.advance(VIS + 1);
        expect(await receive(q)).toEqual([]);
        clock.advance(60_000);
        expect(await store.queues.purgeQueue(q.id, 60_000)).toBe(true);
      });
    });

    describe('standard queues: send, receive, visibility', () => {
      it('receives in send order, hides received messages, counts receives', async () => {
        const q = await create('std');
        const sent = await store.queues.send(q.id, [msg('1'), msg('2'), msg('3')]);
        expect(sent.map((s) => s.duplicate)).toEqual([false, false, false]);
        expect(sent[0]!.position).toBeLessThan(sent[1]!.position);
        const first = await receive(q, 2);
        expect(first.map((m) => m.body)).toEqual(['1', '2']);
        expect(first[0]!.receiveCount).toBe(1);
        expect(first[0]!.firstReceivedAt).toBe(clock.now());
        const second = await receive(q, 10);
        expect(second.map((m) => m.body)).toEqual(['3']);
        expect(await receive(q)).toEqual([]);
      });

      it('makes a message visible again when its visibility ends, with a new receipt token', async () => {
        const q = await create('vis');
        await store.queues.send(q.id, [msg('m')]);
        const [a] = await receive(q, 1, 10_000);
        clock.advance(9_999);
        expect(await receive(q)).toEqual([]);
        clock.advance(1);
        const [b] = await receive(q, 1, 10_000);
        expect(b?.messageId).toBe(a?.messageId);
        expect(b?.receiveCount).toBe(2);
        expect(b?.receiptToken).not.toBe(a?.receiptToken);
        expect(b?.firstReceivedAt).toBe(a?.firstReceivedAt);
      });

      it('a receipt token from an earlier receive cannot delete a re-received message', async () => {
        const q = await create('stale');
        await store.queues.send(q.id, [msg('m')]);
        const [a] = await receive(q, 1, 1_000);
        clock.advance(1_000);
        const [b] = await receive(q, 1, 1_000);
        const stale = await store.queues.deleteMessages(q.id, [
          { position: a!.position, token: a!.receiptToken },
        ]);
        expect(stale).toEqual(['stale']);
        const changed = await store.queues.changeVisibility(
          q.id,
          [{ position: a!.position, token: a!.receiptToken, visibilityMs: 0 }],
          43_200_000,
        );
        expect(changed).toEqual(['stale']);
        expect(await receive(q)).toEqual([]); // still in flight under b
        const ok = await store.queues.deleteMessages(q.id, [
          { position: b!.position, token: b!.receiptToken },
        ]);
        expect(ok).toEqual(['ok']);
        clock.advance(2_000);
        expect(await receive(q)).toEqual([]);
      });

      it('deletes with the newest token even after the visibility ended', async () => {
        const q = await create('late');
        await store.queues.send(q.id, [msg('m')]);
        const [a] = await receive(q, 1, 1_000);
        clock.advance(5_000);
        expect(
          await store.queues.deleteMessages(q.id, [
            { position: a!.position, token: a!.receiptToken },
          ]),
        ).toEqual(['ok']);
        expect(await receive(q)).toEqual([]);
      });

      it('delays a message for its delay', async () => {
        const q = await create('delay');
        await store.queues.send(q.id, [msg('later', { delayMs: 5_000 }), msg('now')]);
        expect((await receive(q)).map((m) => m.body)).toEqual(['now']);
        expect(await store.queues.nextVisibleAt(q.id)).toBe(clock.now() + 5_000);
        clock.advance(5_000);
        expect((await receive(q)).map((m) => m.body)).toEqual(['later']);
      });

      it('changes visibility from the time of the call, and reports stale, not-in-flight and over-limit handles', async () => {
        const q = await create('chg');
        await store.queues.send(q.id, [msg('m')]);
        const [a] = await receive(q, 1, 10_000);
        const ref = { position: a!.position, token: a!.receiptToken };
        clock.advance(5_000);
        expect(
          await store.queues.changeVisibility(q.id, [{ ...ref, visibilityMs: 20_000 }], 43_200_000),
        ).toEqual(['ok']);
        clock.advance(19_999);
        expect(await receive(q)).toEqual([]);
        expect(
          await store.queues.changeVisibility(
            q.id,
            [{ ...ref, visibilityMs: 43_200_000 }],
            43_200_000,
          ),
        ).toEqual(['overLimit']);
        clock.advance(1);
        expect(
          await store.queues.changeVisibility(q.id, [{ ...ref, visibilityMs: 1_000 }], 43_200_000),
        ).toEqual(['notInflight']);
        expect(
          await store.queues.changeVisibility(
            q.id,
            [{ position: a!.position, token: 'nope', visibilityMs: 0 }],
            43_200_000,
          ),
        ).toEqual(['stale']);
      });

      it('visibility 0 releases the message at once and wakes listeners', async () => {
        const q = await create('zero');
        await store.queues.send(q.id, [msg('m')]);
        const [a] = await receive(q);
        let woken = 0;
        const off = store.queues.onWake(q.id, () => woken++);
        await store.queues.changeVisibility(
          q.id,
          [{ position: a!.position, token: a!.receiptToken, visibilityMs: 0 }],
          43_200_000,
        );
        await waitFor(() => woken > 0);
        off();
        expect((await receive(q)).length).toBe(1);
      });

      it('wakes listeners after a send commits', async () => {
        const q = await create('wake');
        let woken = 0;
        const off = store.queues.onWake(q.id, () => woken++);
        await store.queues.send(q.id, [msg('m')]);
        await waitFor(() => woken > 0);
        off();
        expect(woken).toBeGreaterThan(0);
      });

      it('never hands one message to two concurrent receives', async () => {
        const q = await create('race');
        await store.queues.send(
          q.id,
          Array.from({ length: 50 }, (_, i) => msg(String(i))),
        );
        const batches = await Promise.all(Array.from({ length: 10 }, () => receive(q, 10)));
        const ids = batches.flat().map((m) => m.messageId);
        expect(ids.length).toBe(50);
        expect(new Set(ids).size).toBe(50);
      });

      it('keeps attributes and system fields', async () => {
        const q = await create('attrs');
        await store.queues.send(q.id, [
          msg('b', {
            attributes: {
              k: { dataType: 'String', stringValue: 'v' },
              bin: { dataType: 'Binary', binaryValue: 'AQI=' },
            },
            md5OfAttributes: 'x',
            traceHeader: 'Root=1',
            groupId: 'tenant-1',
          }),
        ]);
        const [m] = await receive(q);
        expect(m?.attributes).toEqual({
          k: { dataType: 'String', stringValue: 'v' },
          bin: { dataType: 'Binary', binaryValue: 'AQI=' },
        });
        expect(m?.md5OfAttributes).toBe('x');
        expect(m?.traceHeader).toBe('Root=1');
        expect(m?.groupId).toBe('tenant-1');
        expect(m?.sentAt).toBe(clock.now());
      });
    });

    describe('fair queues (standard queues with message groups)', () => {
      it("a quiet tenant's message is received before a noisy tenant's backlog", async () => {
        const q = await create('fair');
        await store.queues.send(
          q.id,
          Array.from({ length: 300 }, (_, i) => msg(`a${i}`, { groupId: 'noisy' })),
        );
        clock.advance(1);
        const busy = await receive(q, 10);
        expect(busy.every((m) => m.groupId === 'noisy')).toBe(true);
        clock.advance(1);
        await store.queues.send(q.id, [msg('b0', { groupId: 'quiet' })]);
        const next = await receive(q, 3);
        // Without fairness these would be a10, a11, a12: b0 waits behind 290 messages.
        expect(next.map((m) => m.body).sort()).toEqual(['a10', 'a11', 'b0']);
      });

      it('spreads one receive over tenants', async () => {
        const q = await create('spread');
        await store.queues.send(q.id, [
          ...Array.from({ length: 20 }, (_, i) => msg(`a${i}`, { groupId: 'a' })),
          ...Array.from({ length: 20 }, (_, i) => msg(`b${i}`, { groupId: 'b' })),
        ]);
        const got = await receive(q, 10);
        const perGroup = new Map<string, number>();
        for (const m of got) perGroup.set(m.groupId!, (perGroup.get(m.groupId!) ?? 0) + 1);
        expect(perGroup).toEqual(
          new Map([
            ['a', 5],
            ['b', 5],
          ]),
        );
      });
    });

    describe('retention', () => {
      it('never returns an expired message, and removeExpired deletes them', async () => {
        const q = await create('ret');
        await store.queues.send(q.id, [
          msg('old', { retentionMs: 60_000 }),
          msg('young', { retentionMs: 600_000 }),
        ]);
        clock.advance(60_000);
        expect((await receive(q)).map((m) => m.body)).toEqual(['young']);
        await store.queues.send(q.id, [msg('x', { retentionMs: 60_000 })]);
        clock.advance(60_000);
        expect(await store.queues.removeExpired(1000)).toBeGreaterThanOrEqual(1);
        // Only 'young' is left (visible again: its visibility ended).
        expect(await store.queues.stats(q.id)).toMatchObject({
          visible: 1,
          delayed: 0,
          inFlight: 0,
        });
      });
    });

    describe('FIFO queues', () => {
      it('keeps order within a group and blocks a group while any of its messages is in flight', async () => {
        const q = await create('f.fifo', fifo);
        await store.queues.send(q.id, [
          msg('a1', { groupId: 'a' }),
          msg('b1', { groupId: 'b' }),
          msg('a2', { groupId: 'a' }),
        ]);
        const first = await receive(q, 1);
        expect(first.map((m) => m.body)).toEqual(['a1']);
        // a is blocked while a1 is in flight; b flows.
        const second = await receive(q, 10);
        expect(second.map((m) => m.body)).toEqual(['b1']);
        // A message sent to a blocked group is not receivable either.
        await store.queues.send(q.id, [msg('a3', { groupId: 'a' })]);
        expect(await receive(q, 10)).toEqual([]);
        await store.queues.deleteMessages(q.id, [
          { position: first[0]!.position, token: first[0]!.receiptToken },
        ]);
        const third = await receive(q, 10);
        expect(third.map((m) => m.body)).toEqual(['a2', 'a3']);
      });

      it('returns the group head again after its visibility ends, before later messages', async () => {
        const q = await create('g.fifo', fifo);
        await store.queues.send(q.id, [msg('1', { groupId: 'g' }), msg('2', { groupId: 'g' })]);
        const [one] = await receive(q, 1, 1_000);
        clock.advance(1_000);
        const again = await receive(q, 1, 1_000);
        expect(again[0]?.messageId).toBe(one?.messageId);
      });

      it('deduplicates within the window and answers with the original id and position', async () => {
        const q = await create('d.fifo', fifo);
        const dedup = { deduplication: { windowMs: 300_000, perGroup: false } };
        const [a] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'g', deduplicationId: 'd1' })],
          dedup,
        );
        const [b] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'h', deduplicationId: 'd1' })],
          dedup,
        );
        expect(b).toEqual({ ...a, duplicate: true });
        // Deduplication survives receive and delete.
        const [m] = await receive(q);
        await store.queues.deleteMessages(q.id, [
          { position: m!.position, token: m!.receiptToken },
        ]);
        const [c] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'g', deduplicationId: 'd1' })],
          dedup,
        );
        expect(c?.duplicate).toBe(true);
        clock.advance(300_000);
        const [d] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'g', deduplicationId: 'd1' })],
          dedup,
        );
        expect(d?.duplicate).toBe(false);
        expect(d?.position).toBeGreaterThan(a!.position);
      });

      it('scopes deduplication ids per message group when asked', async () => {
        const q = await create('s.fifo', fifo);
        const dedup = { deduplication: { windowMs: 300_000, perGroup: true } };
        const [a] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'g', deduplicationId: 'd' })],
          dedup,
        );
        const [b] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'h', deduplicationId: 'd' })],
          dedup,
        );
        const [c] = await store.queues.send(
          q.id,
          [msg('x', { groupId: 'g', deduplicationId: 'd' })],
          dedup,
        );
        expect(a?.duplicate).toBe(false);
        expect(b?.duplicate).toBe(false);
        expect(c?.duplicate).toBe(true);
      });

      it('deduplicates within one batch', async () => {
        const q = await create('b.fifo', fifo);
        const out = await store.queues.send(
          q.id,
          [
            msg('x', { groupId: 'g', deduplicationId: 'same' }),
            msg('x', { groupId: 'g', deduplicationId: 'same' }),
          ],
          { deduplication: { windowMs: 300_000, perGroup: false } },
        );
        expect(out.map((o) => o.duplicate)).toEqual([false, true]);
        expect(out[1]?.messageId).toBe(out[0]?.messageId);
      });

      it('replays a receive attempt with the same messages and tokens until one is deleted', async () => {
        const q = await create('r.fifo', fifo);
        await store.queues.send(q.id, [msg('1', { groupId: 'g' }), msg('2', { groupId: 'g' })]);
        const attempt = { id: 'att-1', windowMs: 300_000 };
        const a = await store.queues.receive(q.id, {
          fifo: true,
          max: 10,
          visibilityMs: VIS,
          attempt,
        });
        expect(a.length).toBe(2);
        clock.advance(10_000);
        const b = await store.queues.receive(q.id, {
          fifo: true,
          max: 10,
          visibilityMs: VIS,
          attempt,
        });
        expect(b.map((m) => m.receiptToken)).toEqual(a.map((m) => m.receiptToken));
        // The replay reset the visibility: still hidden 25 s later.
        clock.advance(25_000);
        expect(await receive(q)).toEqual([]);
        await store.queues.deleteMessages(q.id, [
          { position: a[0]!.position, token: a[0]!.receiptToken },
        ]);
        const c = await store.queues.receive(q.id, {
          fifo: true,
          max: 10,
          visibilityMs: VIS,
          attempt,
        });
        expect(c.map((m) => m.receiptToken)).not.toEqual(a.map((m) => m.receiptToken));
      });

      it('does not replay a receive attempt after a visibility change of one of its messages', async () => {
        const q = await create('v.fifo', fifo);
        await store.queues.send(q.id, [msg('1', { groupId: 'g' })]);
        const attempt = { id: 'att-2', windowMs: 300_000 };
        const [a] = await store.queues.receive(q.id, {
          fifo: true,
          max: 10,
          visibilityMs: VIS,
          attempt,
        });
        await store.queues.changeVisibility(
          q.id,
          [{ position: a!.position, token: a!.receiptToken, visibilityMs: 0 }],
          43_200_000,
        );
        const again = await store.queues.receive(q.id, {
          fifo: true,
          max: 10,
          visibilityMs: VIS,
          attempt,
        });
        expect(again.length).toBe(1);
        expect(again[0]?.receiptToken).not.toBe(a!.receiptToken);
        expect(again[0]?.receiveCount).toBe(2);
      });
    });

    describe('dead-letter queues', () => {
      it('moves a message on the receive after maxReceiveCount receives, keeping its send time', async () => {
        const q = await create('src');
        const dlq = await create('src-dlq');
        const deadLetter = {
          queueId: dlq.id,
          maxReceiveCount: 2,
          sourceArn: 'arn:src',
          resetSentAt: false,
          retentionMs: 3_600_000,
        };
        const [original] = await store.queues.send(q.id, [msg('poison')]);
        await store.queues.send(dlq.id, [msg('already dead')]);
        const sentAt = clock.now();
        for (let i = 0; i < 2; i++) {
          const got = await store.queues.receive(q.id, {
            fifo: false,
            max: 1,
            visibilityMs: 1_000,
            deadLetter,
          });
          expect(got.length).toBe(1);
          clock.advance(1_000);
        }
        expect(
          await store.queues.receive(q.id, {
            fifo: false,
            max: 1,
            visibilityMs: 1_000,
            deadLetter,
          }),
        ).toEqual([]);
        const [earlier, dead] = await receive(dlq);
        expect(earlier?.body).toBe('already dead');
        expect(dead?.body).toBe('poison');
        // A new position: ordered in the DLQ by its arrival there.
        expect(dead!.position).toBeGreaterThan(earlier!.position);
        expect(dead!.position).not.toBe(original!.position);
        expect(dead?.deadLetterSourceArn).toBe('arn:src');
        expect(dead?.receiveCount).toBe(1);
        expect(dead?.sentAt).toBe(sentAt);
      });

      it('resets the send time when a FIFO dead-letter queue asks for it', async () => {
        const q = await create('fs.fifo', fifo);
        const dlq = await create('fd.fifo', fifo);
        const deadLetter = {
          queueId: dlq.id,
          maxReceiveCount: 1,
          sourceArn: 'arn:fs',
          resetSentAt: true,
          retentionMs: 3_600_000,
        };
        await store.queues.send(q.id, [msg('p', { groupId: 'g' })]);
        await store.queues.receive(q.id, { fifo: true, max: 1, visibilityMs: 1_000, deadLetter });
        clock.advance(5_000);
        await store.queues.receive(q.id, { fifo: true, max: 1, visibilityMs: 1_000, deadLetter });
        const [dead] = await receive(dlq);
        expect(dead?.sentAt).toBe(clock.now());
      });

      it('moves messages back to their origins or to a chosen queue', async () => {
        const a = await create('origin-a');
        const b = await create('origin-b');
        const dlq = await create('dead');
        const other = await create('other');
        await store.queues.send(dlq.id, [
          msg('to-a', { deadLetterSourceArn: 'arn:a' }),
          msg('to-b', { deadLetterSourceArn: 'arn:b' }),
          msg('lost', { deadLetterSourceArn: 'arn:gone' }),
        ]);
        const origins = new Map([
          ['arn:a', { queueId: a.id, retentionMs: 3_600_000, fifo: false }],
          ['arn:b', { queueId: b.id, retentionMs: 3_600_000, fifo: false }],
        ]);
        const ids: string[] = [];
        const newId = () => {
          const id = randomUUID();
          ids.push(id);
          return id;
        };
        const r = await store.queues.moveMessages(dlq.id, null, origins, 10, newId);
        expect(r).toEqual({ moved: 2, unroutable: 1 });
        const [ma] = await receive(a);
        expect(ma?.body).toBe('to-a');
        expect(ids).toContain(ma?.messageId);
        expect(ma?.receiveCount).toBe(1);
        expect((await receive(b)).map((m) => m.body)).toEqual(['to-b']);
        const r2 = await store.queues.moveMessages(
          dlq.id,
          { queueId: other.id, retentionMs: 60_000, fifo: false },
          new Map(),
          10,
          newId,
        );
        expect(r2).toEqual({ moved: 1, unroutable: 0 });
        expect((await receive(other)).map((m) => m.body)).toEqual(['lost']);
      });

      it('stores and lists move tasks newest first', async () => {
        const dlq = await create('tasks-dlq');
        const base = taskBase(dlq.id, 3);
        await store.queues.putMoveTask({ ...base, handle: 'h1', startedAt: 1, updatedAt: 1 });
        await store.queues.putMoveTask({ ...base, handle: 'h2', startedAt: 2, updatedAt: 2 });
        await store.queues.putMoveTask({
          ...base,
          handle: 'h1',
          startedAt: 1,
          updatedAt: 3,
          status: 'COMPLETED',
          moved: 3,
        });
        expect((await store.queues.listMoveTasks(dlq.id, 10)).map((t) => t.handle)).toEqual([
          'h2',
          'h1',
        ]);
        expect((await store.queues.getMoveTask('h1'))?.status).toBe('COMPLETED');
        expect(await store.queues.getMoveTask('nope')).toBeUndefined();
      });

      it('patches a move task only when its status (and age) match, and lists active tasks', async () => {
        const dlq = await create('cas-dlq');
        const base = { ...taskBase(dlq.id, 5), startedAt: 1 };
        await store.queues.putMoveTask({ ...base, handle: 'a', updatedAt: 100 });
        await store.queues.putMoveTask({
          ...base,
          handle: 'b',
          updatedAt: 100,
          status: 'COMPLETED',
        });
        expect((await store.queues.listActiveMoveTasks()).map((t) => t.handle)).toEqual(['a']);
        const progressed = await store.queues.updateMoveTask(
          'a',
          { moved: 2, updatedAt: 200 },
          { statusIn: ['RUNNING'] },
        );
        expect(progressed).toMatchObject({
          handle: 'a',
          moved: 2,
          updatedAt: 200,
          status: 'RUNNING',
          toMove: 5,
        });
        // Cancelling wins over a runner's later progress write.
        expect(
          await store.queues.updateMoveTask(
            'a',
            { status: 'CANCELLING', updatedAt: 201 },
            { statusIn: ['RUNNING'] },
          ),
        ).toBeDefined();
        expect(
          await store.queues.updateMoveTask(
            'a',
            { moved: 3, updatedAt: 202 },
            { statusIn: ['RUNNING'] },
          ),
        ).toBeUndefined();
        // Adoption only of a task not updated recently.
        expect(
          await store.queues.updateMoveTask(
            'a',
            { updatedAt: 300 },
            { statusIn: ['RUNNING', 'CANCELLING'], updatedBefore: 201 },
          ),
        ).toBeUndefined();
        const adopted = await store.queues.updateMoveTask(
          'a',
          { updatedAt: 300 },
          { statusIn: ['RUNNING', 'CANCELLING'], updatedBefore: 250 },
        );
        expect(adopted).toMatchObject({ status: 'CANCELLING', moved: 2, updatedAt: 300 });
        expect(
          await store.queues.updateMoveTask('nope', { updatedAt: 1 }, { statusIn: ['RUNNING'] }),
        ).toBeUndefined();
      });
    });

    describe('stats', () => {
      it('counts visible, delayed and in-flight messages and the oldest send time', async () => {
        const q = await create('stats');
        const t0 = clock.now();
        await store.queues.send(q.id, [msg('a'), msg('b'), msg('c', { delayMs: 10_000 })]);
        clock.advance(1_000);
        await receive(q, 1);
        expect(await store.queues.stats(q.id)).toEqual({
          visible: 1,
          delayed: 1,
          inFlight: 1,
          oldestSentAt: t0,
        });
        expect(await store.queues.listQueueIds()).toContain(q.id);
      });
    });

    describe('lifecycle', () => {
      it('answers ping and reads its clock', async () => {
        await store.ping();
        expect(await store.now()).toBe(clock.now());
      });
    });

    describe('write condition: a full disk is an outage, reported and recovered', () => {
      // Big enough to need fresh pages on every driver.
      const big = (body: string) => msg(body.padEnd(16_384, '.'));
      const failure = async (p: Promise<unknown>): Promise<Error> => {
        try {
          await p;
        } catch (error) {
          return error as Error;
        }
        throw new Error('expected the call to fail');
      };

      it('starts writable, and a write probe commits', async () => {
        expect(store.condition()).toMatchObject({ writable: true, code: null, reason: null });
        await store.probeWrite();
        expect(store.condition().writable).toBe(true);
      });

      const withFaults = faults ? it : it.skip;
      const fill = () => faults!.fillDisk(store);
      const free = () => faults!.freeDisk(store);

      withFaults(
        'a write on a full disk fails StoreUnavailable naming the cause; reads go on; the condition says why',
        async () => {
          const q = await create('full');
          const events: StoreConditionEvent[] = [];
          const off = store.onCondition((e) => events.push(e));
          await fill();
          const error = await failure(store.queues.send(q.id, [big('lost')]));
          expect(isBallastError(error) && error.code).toBe('StoreUnavailable');
          expect(error.message).toMatch(/disk is full/);
          const c = store.condition();
          expect(c).toMatchObject({ writable: false, since: clock.now() });
          expect(c.code).toMatch(/^(SQLITE_FULL|53100)$/);
          expect(c.reason).toMatch(/disk is full/);
          expect(events[0]).toMatchObject({ type: 'failure', started: true, code: c.code });
          // Reads do not notice a full disk: that is why the condition exists.
          await store.ping();
          expect(await store.queues.getQueue('full')).toBeDefined();
          // The probe is refused like a send, and the outage goes on (not started again).
          expect(await failure(store.probeWrite())).toMatchObject({ code: 'StoreUnavailable' });
          expect(store.condition().writable).toBe(false);
          expect(events.filter((e) => e.type === 'failure' && e.started)).toHaveLength(1);
          off();
          await free();
        },
      );

      withFaults(
        'space back: a probe ends the outage with no traffic; nothing acknowledged was lost, nothing refused was stored',
        async () => {
          const q = await create('recover');
          await store.queues.send(q.id, [msg('before-1'), msg('before-2')]);
          const events: StoreConditionEvent[] = [];
          const off = store.onCondition((e) => events.push(e));
          await fill();
          await failure(store.queues.send(q.id, [big('refused')]));
          const since = store.condition().since;
          clock.advance(5_000);
          await free();
          await store.probeWrite();
          expect(store.condition()).toEqual({
            writable: true,
            since: clock.now(),
            code: null,
            reason: null,
          });
          expect(events.at(-1)).toMatchObject({
            type: 'recovered',
            durationMs: 5_000,
            outage: { writable: false, since },
          });
          await store.queues.send(q.id, [big('after')]);
          const got = await receive(q, 10);
          expect(got.map((m) => m.body.replace(/\.+$/, ''))).toEqual([
            'before-1',
            'before-2',
            'after',
          ]);
          off();
        },
      );

      withFaults(
        'a failed group commit rejects exactly its callers; the calls after it succeed',
        async () => {
          const q = await create('batch');
          await store.queues.send(q.id, [msg('kept')]);
          await fill();
          // Submitted in one turn: on every driver they share one group commit.
          const refused = await Promise.allSettled(
            [1, 2, 3].map((i) => store.queues.send(q.id, [big(`r${i}`)])),
          );
          expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
          await free();
          // A durable write ends the outage by itself, no probe needed.
          const accepted = await Promise.allSettled(
            [1, 2, 3].map((i) => store.queues.send(q.id, [big(`a${i}`)])),
          );
          expect(accepted.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
          expect(store.condition().writable).toBe(true);
          const got = await receive(q, 10);
          expect(got.map((m) => m.body.replace(/\.+$/, '')).sort()).toEqual([
            'a1',
            'a2',
            'a3',
            'kept',
          ]);
        },
      );

      it('a throwing condition listener does not fail the store, and unsubscribing stops events', async () => {
        const q = await create('listeners');
        const off = store.onCondition(() => {
          throw new Error('listener bug');
        });
        let heard = 0;
        const offCount = store.onCondition(() => heard++);
        offCount();
        off();
        if (faults) {
          const offThrowing = store.onCondition(() => {
            throw new Error('listener bug');
          });
          await fill();
          expect(await failure(store.queues.send(q.id, [big('x')]))).toMatchObject({
            code: 'StoreUnavailable',
          });
          await free();
          await store.queues.send(q.id, [msg('y')]);
          offThrowing();
        }
        expect(heard).toBe(0);
      });
    });
  });
}

/** A RUNNING move task of `sourceQueueId` with nothing moved yet. */
function taskBase(sourceQueueId: number, toMove: number) {
  return {
    sourceQueueId,
    sourceArn: 'arn:d',
    destinationArn: null,
    maxPerSecond: null,
    status: 'RUNNING' as const,
    moved: 0,
    toMove,
    failureReason: null,
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
