import { beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { isBallastError } from '../../src/core/errors.js';
import { md5Hex } from '../../src/queue/md5.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast, useTestBallast, waitFor } from '../helpers/ballast.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isBallastError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('queues (library)', () => {
  const fixture = useTestBallast();
  let b: Ballast;
  let clock: FakeClock;
  beforeEach(() => ({ b, clock } = fixture));

  describe('create, get, list, delete', () => {
    it('create is idempotent for equal attributes and QueueNameExists otherwise', async () => {
      await b.queues.create('orders', { visibilityTimeout: 30 });
      await b.queues.create('orders', { visibilityTimeout: 30 });
      await b.queues.create('orders');
      expect(await code(b.queues.create('orders', { visibilityTimeout: 31 }))).toBe(
        'QueueNameExists',
      );
    });

    it('rejects bad names and values with typed errors', async () => {
      expect(await code(b.queues.create('bad name'))).toBe('InvalidParameterValue');
      expect(await code(b.queues.create('x'.repeat(81)))).toBe('InvalidParameterValue');
      expect(await code(b.queues.create('plain', { fifo: true }))).toBe('InvalidParameterValue');
      expect(await code(b.queues.create('a.fifo'))).toBe('InvalidParameterValue');
      expect(await code(b.queues.create('v', { visibilityTimeout: 43_201 }))).toBe(
        'InvalidAttributeValue',
      );
      expect(await code(b.queues.create('d', { delaySeconds: -1 }))).toBe('InvalidAttributeValue');
      expect(await code(b.queues.create('r', { messageRetentionPeriod: 59 }))).toBe(
        'InvalidAttributeValue',
      );
      expect(
        await code(b.queues.createWithAttributes('s', { ContentBasedDeduplication: 'true' })),
      ).toBe('InvalidAttributeName');
      expect(await code(b.queues.createWithAttributes('s', { Bogus: '1' }))).toBe(
        'InvalidAttributeName',
      );
      expect(await code(b.queues.get('missing'))).toBe('QueueDoesNotExist');
    });

    it('lists by prefix with paging, and deletes with a 60 s name cooldown', async () => {
      for (const n of ['p1', 'p2', 'p3', 'q1']) await b.queues.create(n);
      const page = await b.queues.list({ prefix: 'p', maxResults: 2 });
      expect(page.names).toEqual(['p1', 'p2']);
      const rest = await b.queues.list({ prefix: 'p', maxResults: 2, nextToken: page.nextToken! });
      expect(rest).toEqual({ names: ['p3'] });
      await b.queues.delete('p1');
      expect(await code(b.queues.create('p1'))).toBe('QueueDeletedRecently');
      clock.advance(60_000);
      await b.queues.create('p1');
    });

    it('renders attributes as strings, sets them, and tags queues', async () => {
      await b.queues.create('attrs', { delaySeconds: 3 });
      const a = await b.queues.getAttributes('attrs', ['All']);
      expect(a).toMatchObject({
        DelaySeconds: '3',
        VisibilityTimeout: '30',
        MaximumMessageSize: '1048576',
        ApproximateNumberOfMessages: '0',
      });
      expect(a.QueueArn).toBe('arn:aws:sqs:us-east-1:000000000000:attrs');
      expect(a.CreatedTimestamp).toBe(String(Math.floor(clock.now() / 1000)));
      await b.queues.setAttributes('attrs', { VisibilityTimeout: '60' });
      expect(await b.queues.getAttributes('attrs', ['VisibilityTimeout'])).toEqual({
        VisibilityTimeout: '60',
      });
      await b.queues.tag('attrs', { team: 'pay', env: 'dev' });
      await b.queues.untag('attrs', ['env']);
      expect(await b.queues.tags('attrs')).toEqual({ team: 'pay' });
    });
  });

  describe('send and receive', () => {
    it('returns MD5s of the UTF-8 body and attributes', async () => {
      const q = await b.queues.create('md5');
      const r = await q.send('héllo ✓', {
        attributes: { a: { dataType: 'String', stringValue: 'x' } },
      });
      expect(r.md5OfMessageBody).toBe(md5Hex('héllo ✓'));
      expect(r.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      const [m] = await q.receive();
      expect(m?.md5OfBody).toBe(r.md5OfMessageBody);
      expect(m?.md5OfMessageAttributes).toBe(r.md5OfMessageAttributes);
      expect(m?.messageAttributes).toEqual({ a: { dataType: 'String', stringValue: 'x' } });
    });

    it('rejects invalid bodies, oversized messages and bad counts', async () => {
      const q = await b.queues.create('val', { maximumMessageSize: 1024 });
      expect(await code(q.send(''))).toBe('MissingParameter');
      expect(await code(q.send('a\u0000b'))).toBe('InvalidMessageContents');
      expect(await code(q.send('x'.repeat(1025)))).toBe('InvalidParameterValue');
      expect(await code(q.send('x', { delaySeconds: 901 }))).toBe('InvalidParameterValue');
      expect(
        await code(
          q.send('x', { attributes: { 'AWS.x': { dataType: 'String', stringValue: 'v' } } }),
        ),
      ).toBe('InvalidParameterValue');
      expect(
        await code(q.send('x', { attributes: { n: { dataType: 'Number', stringValue: 'abc' } } })),
      ).toBe('InvalidParameterValue');
      expect(await code(q.receive({ maxMessages: 11 }))).toBe('InvalidParameterValue');
      expect(await code(q.receive({ waitTimeSeconds: 21 }))).toBe('InvalidParameterValue');
      expect(await code(q.delete('garbage'))).toBe('ReceiptHandleIsInvalid');
    });

    it('a receipt handle from another queue is invalid there', async () => {
      const a = await b.queues.create('ha');
      const c = await b.queues.create('hb');
      await a.send('x');
      const [m] = await a.receive();
      expect(await code(c.delete(m!.receiptHandle))).toBe('ReceiptHandleIsInvalid');
    });

    it('delete returns false for a superseded handle and leaves the message', async () => {
      const q = await b.queues.create('sup', { visibilityTimeout: 5 });
      await q.send('x');
      const [first] = await q.receive();
      clock.advance(5_000);
      const [second] = await q.receive();
      expect(await q.delete(first!.receiptHandle)).toBe(false);
      expect(await code(q.changeVisibility(first!.receiptHandle, 0))).toBe('InvalidParameterValue');
      expect(await q.delete(second!.receiptHandle)).toBe(true);
    });

    it('sendBatch enforces entry rules and fails bad entries alone', async () => {
      const q = await b.queues.create('batch');
      expect(await code(q.sendBatch([]))).toBe('EmptyBatchRequest');
      expect(
        await code(q.sendBatch(Array.from({ length: 11 }, (_, i) => ({ body: String(i) })))),
      ).toBe('TooManyEntriesInBatchRequest');
      expect(
        await code(
          q.sendBatch([
            { id: 'a', body: 'x' },
            { id: 'a', body: 'y' },
          ]),
        ),
      ).toBe('BatchEntryIdsNotDistinct');
      expect(await code(q.sendBatch([{ id: 'a b', body: 'x' }]))).toBe('InvalidBatchEntryId');
      const big = 'x'.repeat(600_000);
      expect(await code(q.sendBatch([{ body: big }, { body: big }]))).toBe('BatchRequestTooLong');
      const r = await q.sendBatch([
        { id: 'ok', body: 'x' },
        { id: 'bad', body: '\u0001' },
      ]);
      expect(r.successful.map((s) => s.id)).toEqual(['ok']);
      expect(r.failed).toEqual([
        expect.objectContaining({ id: 'bad', code: 'InvalidMessageContents', senderFault: true }),
      ]);
    });

    it('changeVisibility reports not-in-flight and over-limit', async () => {
      const q = await b.queues.create('cv', { visibilityTimeout: 10 });
      await q.send('x');
      const [m] = await q.receive();
      expect(await code(q.changeVisibility(m!.receiptHandle, 43_201))).toBe(
        'InvalidParameterValue',
      );
      clock.advance(10_000);
      expect(await code(q.changeVisibility(m!.receiptHandle, 5))).toBe('MessageNotInflight');
    });

    it('purges at most once per 60 s', async () => {
      const q = await b.queues.create('pg');
      await q.send('x');
      await q.purge();
      expect(await code(q.purge())).toBe('PurgeQueueInProgress');
      expect((await q.depth()).visible).toBe(0);
    });

    it('reuses counts for statsTtlMs, so dashboards never count per request', async () => {
      const cached = await openTestBallast({ clock, statsTtlMs: 1_000 });
      try {
        const q = await cached.queues.create('counted');
        expect((await q.depth()).visible).toBe(0);
        await q.send('x');
        expect((await q.depth()).visible).toBe(0);
        expect(
          (await cached.queues.getAttributes('counted', ['ApproximateNumberOfMessages']))
            .ApproximateNumberOfMessages,
        ).toBe('0');
        clock.advance(1_000);
        expect((await q.depth()).visible).toBe(1);
      } finally {
        await cached.close();
      }
    });

    it('reports depth and the age of the oldest message', async () => {
      const q = await b.queues.create('depth');
      await q.send('a');
      await q.send('b', { delaySeconds: 60 });
      clock.advance(7_000);
      await q.receive();
      expect(await q.depth()).toEqual({ visible: 0, delayed: 1, inFlight: 1, oldestAgeSeconds: 7 });
    });
  });

  describe('FIFO', () => {
    it('requires a group id, rejects per-message delay, and needs a dedup id or content-based dedup', async () => {
      const q = await b.queues.create('f.fifo', { fifo: true });
      expect(await code(q.send('x', { deduplicationId: 'd' }))).toBe('MissingParameter');
      expect(await code(q.send('x', { groupId: 'g', deduplicationId: 'd', delaySeconds: 1 }))).toBe(
        'InvalidParameterValue',
      );
      expect(await code(q.send('x', { groupId: 'g' }))).toBe('InvalidParameterValue');
      const s = await b.queues.create('s');
      expect(await code(s.send('x', { deduplicationId: 'd' }))).toBe('InvalidParameterValue');
    });

    it('a duplicate send returns the original MessageId and SequenceNumber; content hashes the body only', async () => {
      const q = await b.queues.create('c.fifo', { fifo: true, contentBasedDeduplication: true });
      const a = await q.send('same', {
        groupId: 'g',
        attributes: { k: { dataType: 'String', stringValue: '1' } },
      });
      const d = await q.send('same', {
        groupId: 'g',
        attributes: { k: { dataType: 'String', stringValue: '2' } },
      });
      expect(d.messageId).toBe(a.messageId);
      expect(d.sequenceNumber).toBe(a.sequenceNumber);
      expect(a.sequenceNumber).toMatch(/^\d{20}$/);
      const other = await q.send('same', { groupId: 'g', deduplicationId: 'explicit' });
      expect(other.messageId).not.toBe(a.messageId);
      const got = await q.receive({ maxMessages: 10 });
      expect(got.length).toBe(2);
      expect(got[0]?.sequenceNumber).toBe(a.sequenceNumber);
      expect(got[0]?.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('dead-letter queues and redrive', () => {
    it('moves a message after maxReceiveCount receives and moves it back to its source', async () => {
      const dlq = await b.queues.create('orders-dlq');
      const q = await b.queues.create('orders', {
        visibilityTimeout: 1,
        deadLetterQueue: { queue: 'orders-dlq', maxReceiveCount: 2 },
      });
      await q.send('poison');
      for (let i = 0; i < 2; i++) {
        expect((await q.receive()).length).toBe(1);
        clock.advance(1_000);
      }
      expect(await q.receive()).toEqual([]);
      const [dead] = await dlq.receive({ visibilityTimeout: 0 });
      expect(dead?.body).toBe('poison');
      expect(dead?.deadLetterQueueSourceArn).toBe(q.arn);
      expect(await b.queues.deadLetterSources('orders-dlq')).toEqual(['orders']);

      const handle = await b.queues.moveTasks.start({ sourceArn: dlq.arn });
      const task = await b.queues.moveTasks.wait(handle);
      expect(task).toMatchObject({ status: 'COMPLETED', moved: 1, toMove: 1 });
      const [back] = await q.receive();
      expect(back?.body).toBe('poison');
      expect(back?.receiveCount).toBe(1);
      expect(back?.messageId).not.toBe(dead?.messageId);
      expect((await b.queues.moveTasks.list(dlq.arn))[0]?.handle).toBe(handle);
    });

    it('rejects a RedrivePolicy to a missing queue or a queue of the other type', async () => {
      await b.queues.create('fd.fifo', { fifo: true });
      expect(
        await code(
          b.queues.create('x', { deadLetterQueue: { queue: 'nope', maxReceiveCount: 1 } }),
        ),
      ).toBe('InvalidParameterValue');
      expect(
        await code(
          b.queues.create('y', { deadLetterQueue: { queue: 'fd.fifo', maxReceiveCount: 1 } }),
        ),
      ).toBe('InvalidParameterValue');
      expect(
        await code(
          b.queues.create('z', { deadLetterQueue: { queue: 'fd.fifo', maxReceiveCount: 0 } }),
        ),
      ).toBe('InvalidAttributeValue');
    });

    it('a task whose runner died is adopted by another process and finished there', async () => {
      const dlq = await b.queues.create('orphan-dlq');
      const target = await b.queues.create('orphan-target');
      await b.queues.create('orphan-src', {
        deadLetterQueue: { queue: 'orphan-dlq', maxReceiveCount: 1 },
      });
      await dlq.sendBatch([{ body: 'a' }, { body: 'b' }]);
      const source = await dlq.record();
      // The record a runner leaves behind when its process is killed mid-task.
      const now = clock.now();
      await b.store.queues.putMoveTask({
        handle: 'orphan',
        sourceQueueId: source.id,
        sourceArn: dlq.arn,
        destinationArn: target.arn,
        maxPerSecond: null,
        status: 'RUNNING',
        moved: 0,
        toMove: 2,
        failureReason: null,
        startedAt: now,
        updatedAt: now,
      });
      expect(await b.queues.moveTasks.adoptOrphans()).toEqual([]); // still fresh
      clock.advance(30_001);
      expect(await b.queues.moveTasks.adoptOrphans()).toEqual(['orphan']);
      expect(await b.queues.moveTasks.wait('orphan')).toMatchObject({
        status: 'COMPLETED',
        moved: 2,
      });
      expect((await target.receive({ maxMessages: 10 })).map((m) => m.body).sort()).toEqual([
        'a',
        'b',
      ]);
    });

    it('cancelling a running task stops it', async () => {
      const dlq = await b.queues.create('slow-dlq');
      await b.queues.create('slow-src', {
        deadLetterQueue: { queue: 'slow-dlq', maxReceiveCount: 1 },
      });
      const dest = await b.queues.create('slow-dest');
      await dlq.sendBatch(Array.from({ length: 5 }, (_, i) => ({ body: String(i) })));
      const handle = await b.queues.moveTasks.start({
        sourceArn: dlq.arn,
        destinationArn: dest.arn,
        maxNumberOfMessagesPerSecond: 1,
      });
      await waitFor(async () => (await b.queues.moveTasks.list(dlq.arn))[0]?.moved === 1);
      expect(await b.queues.moveTasks.cancel(handle)).toBe(1);
      clock.advance(1_000);
      expect(await b.queues.moveTasks.wait(handle)).toMatchObject({
        status: 'CANCELLED',
        moved: 1,
      });
      expect((await dlq.depth()).visible).toBe(4);
    });

    it('only a dead-letter queue can be the source of a move task', async () => {
      const q = await b.queues.create('plain');
      expect(await code(b.queues.moveTasks.start({ sourceArn: q.arn }))).toBe(
        'InvalidParameterValue',
      );
      expect(
        await code(
          b.queues.moveTasks.start({ sourceArn: 'arn:aws:sqs:us-east-1:000000000000:none' }),
        ),
      ).toBe('ResourceNotFoundException');
    });
  });
});
