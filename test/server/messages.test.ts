import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Hex, md5OfAttributes } from '../../src/queue/md5.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor, within } from '../helpers/ballast.js';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

let n = 0;
const newQueue = async (Attributes?: Record<string, string>, fifo = false): Promise<string> => {
  const QueueName = `m${n++}${fifo ? '.fifo' : ''}`;
  const attrs = fifo ? { FifoQueue: 'true', ...Attributes } : Attributes;
  return (
    await t.client.send(
      new CreateQueueCommand({ QueueName, ...(attrs ? { Attributes: attrs } : {}) }),
    )
  ).QueueUrl!;
};
const receive = (
  QueueUrl: string,
  extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
) => t.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }));

describe('send and receive over HTTP', () => {
  it('MD5s are of the UTF-8 bytes of non-ASCII bodies (the SDK checks them) and attributes round-trip', async () => {
    const url = await newQueue();
    const body = 'héllo ✓ 日本 🚀';
    const sent = await t.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: {
          'app.kind': { DataType: 'String', StringValue: 'order' },
          'app.n': { DataType: 'Number', StringValue: '42' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        },
        MessageSystemAttributes: {
          AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(md5Hex(body));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(sent.MD5OfMessageSystemAttributes).toBe(
      md5OfAttributes({ AWSTraceHeader: { dataType: 'String', stringValue: 'Root=1-abc' } }),
    );
    expect(sent.SequenceNumber).toBeUndefined();
    const { Messages } = await receive(url, {
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
    const m = Messages![0]!;
    expect(m.Body).toBe(body);
    expect(m.MD5OfBody).toBe(md5Hex(body));
    expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m.MessageAttributes!.raw!.BinaryValue).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(m.MessageAttributes!['app.n']).toEqual({ DataType: 'Number', StringValue: '42' });
    expect(m.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: '000000000000',
      AWSTraceHeader: 'Root=1-abc',
    });
    // Message timestamps are epoch milliseconds, as strings.
    expect(Math.abs(Number(m.Attributes!.SentTimestamp) - Date.now())).toBeLessThan(10_000);
    expect(Number(m.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(m.Attributes!.SentTimestamp),
    );
  });

  it('filters message attributes by exact name and prefix, with the MD5 over the returned subset', async () => {
    const url = await newQueue();
    const attrs = {
      'app.kind': { DataType: 'String', StringValue: 'order' },
      'app.n': { DataType: 'Number', StringValue: '7' },
      other: { DataType: 'String', StringValue: 'x' },
    };
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'f', MessageAttributes: attrs }),
    );
    const [m] = (await receive(url, { MessageAttributeNames: ['app.*'], VisibilityTimeout: 0 }))
      .Messages!;
    expect(Object.keys(m!.MessageAttributes!).sort()).toEqual(['app.kind', 'app.n']);
    expect(m!.MD5OfMessageAttributes).toBe(
      md5OfAttributes({
        'app.kind': { dataType: 'String', stringValue: 'order' },
        'app.n': { dataType: 'Number', stringValue: '7' },
      }),
    );
    const [exact] = (await receive(url, { MessageAttributeNames: ['other'], VisibilityTimeout: 0 }))
      .Messages!;
    expect(Object.keys(exact!.MessageAttributes!)).toEqual(['other']);
    const [none] = (
      await receive(url, { MessageSystemAttributeNames: ['SentTimestamp'], VisibilityTimeout: 0 })
    ).Messages!;
    expect(none!.MessageAttributes).toBeUndefined();
    expect(none!.MD5OfMessageAttributes).toBeUndefined();
    expect(Object.keys(none!.Attributes!)).toEqual(['SentTimestamp']);
    // The deprecated AttributeNames still selects system attributes (the SDK types it as queue attribute names).
    const legacy = await t.call('ReceiveMessage', {
      QueueUrl: url,
      AttributeNames: ['ApproximateReceiveCount', 'VisibilityTimeout'],
    });
    expect((legacy.body.Messages as { Attributes: unknown }[])[0]!.Attributes).toEqual({
      ApproximateReceiveCount: '4',
    });
  });

  it('an empty receive answers {}', async () => {
    const url = await newQueue();
    const raw = await t.call('ReceiveMessage', { QueueUrl: url });
    expect(raw.status).toBe(200);
    expect(raw.body).toEqual({});
    expect((await receive(url)).Messages).toBeUndefined();
  });

  it('SendMessageBatch reports per-entry failures with 200 and Failed[]', async () => {
    const url = await newQueue();
    const res = await t.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok1', MessageBody: 'one ü' },
          { Id: 'bad', MessageBody: 'two', DelaySeconds: 901 },
          {
            Id: 'ok2',
            MessageBody: 'three',
            MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } },
          },
        ],
      }),
    );
    expect(res.Successful!.map((s) => s.Id)).toEqual(['ok1', 'ok2']);
    expect(res.Successful![0]!.MD5OfMessageBody).toBe(md5Hex('one ü'));
    expect(res.Successful![1]!.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(res.Failed).toEqual([
      { Id: 'bad', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.any(String) },
    ]);
  });

  it('whole-batch problems are HTTP errors: empty, too many, duplicate ids, bad ids, too long', async () => {
    const url = await newQueue();
    const batch = (Entries: { Id: string; MessageBody: string }[]) =>
      rejection(t.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })));
    expect(errorSummary(await batch([]))).toEqual({
      name: 'EmptyBatchRequest',
      code: 'AWS.SimpleQueueService.EmptyBatchRequest',
      status: 400,
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    expect((await batch(eleven)).name).toBe('TooManyEntriesInBatchRequest');
    expect(
      (
        await batch([
          { Id: 'a', MessageBody: 'x' },
          { Id: 'a', MessageBody: 'y' },
        ])
      ).name,
    ).toBe('BatchEntryIdsNotDistinct');
    expect((await batch([{ Id: 'no spaces', MessageBody: 'x' }])).name).toBe('InvalidBatchEntryId');
    const big = 'x'.repeat(600_000);
    expect(
      (
        await batch([
          { Id: 'a', MessageBody: big },
          { Id: 'b', MessageBody: big },
        ])
      ).name,
    ).toBe('BatchRequestTooLong');
    const del = await rejection(
      t.client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    );
    expect(del.name).toBe('EmptyBatchRequest');
  });

  it('deletes by receipt handle; a malformed handle is ReceiptHandleIsInvalid (404)', async () => {
    const url = await newQueue();
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'd' }));
    const [m] = (await receive(url)).Messages!;
    await t.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }),
    );
    // Deleting again with the same (now stale) handle succeeds without effect, as SQS does.
    await t.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }),
    );
    const bad = await rejection(
      t.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    expect(errorSummary(bad)).toEqual({
      name: 'ReceiptHandleIsInvalid',
      code: 'ReceiptHandleIsInvalid',
      status: 404,
    });
  });

  it('DeleteMessageBatch and ChangeMessageVisibilityBatch report per-entry results', async () => {
    const url = await newQueue();
    await t.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [0, 1, 2].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })),
      }),
    );
    const ms = (await receive(url)).Messages!;
    expect(ms).toHaveLength(3);
    const change = await t.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'c0', ReceiptHandle: ms[0]!.ReceiptHandle!, VisibilityTimeout: 0 },
          { Id: 'c1', ReceiptHandle: 'garbage', VisibilityTimeout: 10 },
        ],
      }),
    );
    expect(change.Successful).toEqual([{ Id: 'c0' }]);
    expect(change.Failed).toEqual([
      { Id: 'c1', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) },
    ]);
    const del = await t.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'd1', ReceiptHandle: ms[1]!.ReceiptHandle! },
          { Id: 'd2', ReceiptHandle: ms[2]!.ReceiptHandle! },
          { Id: 'dx', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(del.Successful).toEqual([{ Id: 'd1' }, { Id: 'd2' }]);
    expect(del.Failed!.map((f) => [f.Id, f.Code])).toEqual([['dx', 'ReceiptHandleIsInvalid']]);
    // c0 was released with visibility 0: it is receivable again at once.
    const again = (await receive(url)).Messages!;
    expect(again.map((m) => m.Body)).toEqual(['b0']);
  });

  it('ChangeMessageVisibility hides and releases a message', async () => {
    const url = await newQueue();
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'v' }));
    const [m] = (await receive(url)).Messages!;
    await t.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = (
      await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] })
    ).Messages!;
    expect(again!.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    const tooLong = await rejection(
      t.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: again!.ReceiptHandle!,
          VisibilityTimeout: 43_201,
        }),
      ),
    );
    expect(tooLong.name).toBe('InvalidParameterValue');
  });

  it('a long poll returns as soon as a message is sent', async () => {
    // A server on a FakeClock that never moves: neither the poll's re-check nor its end comes, so
    // only the send's wake-up can answer it.
    const clock = new FakeClock();
    const own = await startTestServer({ ballastOptions: { clock } });
    try {
      const { QueueUrl } = await own.client.send(new CreateQueueCommand({ QueueName: 'wake' }));
      const base = clock.pendingSleepers;
      const polling = own.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
      await waitFor(() => clock.pendingSleepers > base); // the poll sleeps
      await own.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' }));
      const { Messages } = await within(polling, 'the wake-up of the long poll');
      expect(Messages!.map((m) => m.Body)).toEqual(['wake']);
    } finally {
      await own.close();
    }
  });

  it('rejects bad receive parameters', async () => {
    const url = await newQueue();
    expect((await rejection(receive(url, { MaxNumberOfMessages: 11 }))).name).toBe(
      'InvalidParameterValue',
    );
    expect((await rejection(receive(url, { WaitTimeSeconds: 21 }))).name).toBe(
      'InvalidParameterValue',
    );
    const raw = await t.call('ReceiveMessage', {
      QueueUrl: url,
      MessageSystemAttributeNames: ['Nope'],
    });
    expect(raw.body.__type).toBe('com.amazonaws.sqs#InvalidAttributeName');
  });
});

describe('FIFO over HTTP', () => {
  it('returns SequenceNumbers; a deduplicated send returns the original MessageId and SequenceNumber', async () => {
    const url = await newQueue({}, true);
    const a = await t.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'a',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd1',
      }),
    );
    const b = await t.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'b',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd2',
      }),
    );
    expect(a.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(b.SequenceNumber!)).toBeGreaterThan(BigInt(a.SequenceNumber!));
    const dup = await t.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'a',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd1',
      }),
    );
    expect(dup.MessageId).toBe(a.MessageId);
    expect(dup.SequenceNumber).toBe(a.SequenceNumber);
    const { Attributes } = await t.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '2' });
    const [m] = (
      await receive(url, { MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'] })
    ).Messages!;
    expect(m!.Attributes).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd1',
      SequenceNumber: a.SequenceNumber,
    });
  });

  it('rejects per-message DelaySeconds, a missing MessageGroupId and a missing dedup id', async () => {
    const url = await newQueue({}, true);
    const send = (extra: object) =>
      rejection(
        t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', ...extra })),
      );
    expect(
      (await send({ MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })).name,
    ).toBe('InvalidParameterValue');
    expect((await send({ MessageDeduplicationId: 'd' })).name).toBe('MissingParameter');
    expect((await send({ MessageGroupId: 'g' })).name).toBe('InvalidParameterValue');
  });

  it('a group is blocked while one of its messages is in flight, also for newly sent messages', async () => {
    const url = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-a', MessageGroupId: 'g1' }),
    );
    const [first] = (await receive(url, { MaxNumberOfMessages: 1 })).Messages!;
    expect(first!.Body).toBe('g1-a');
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-b', MessageGroupId: 'g1' }),
    );
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'g2-a', MessageGroupId: 'g2' }),
    );
    const next = (await receive(url)).Messages!;
    expect(next.map((m) => m.Body)).toEqual(['g2-a']);
    await t.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle! }),
    );
    expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(['g1-b']);
  });

  it('ReceiveRequestAttemptId replays the same messages and receipt handles', async () => {
    const url = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    for (const body of ['r1', 'r2'])
      await t.client.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'g' }),
      );
    const first = (await receive(url, { ReceiveRequestAttemptId: 'attempt-1' })).Messages!;
    const replay = (await receive(url, { ReceiveRequestAttemptId: 'attempt-1' })).Messages!;
    expect(first.map((m) => m.Body)).toEqual(['r1', 'r2']);
    expect(replay.map((m) => [m.MessageId, m.ReceiptHandle])).toEqual(
      first.map((m) => [m.MessageId, m.ReceiptHandle]),
    );
    expect((await receive(url, { ReceiveRequestAttemptId: 'attempt-2' })).Messages).toBeUndefined();
  });
});
