import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { md5OfAttributes } from '../../../src/queue/md5.js';
import {
  clientEnv,
  DEBIAN_AWS,
  describeLegacyClients,
  run,
  type ClientRun,
} from '../../helpers/legacy-clients.js';
import { startTestServer, type TestServer } from '../helpers.js';

/*
 * Debian 12's AWS CLI 2.9 speaks SQS's query protocol (form posts, XML answers). It drives a
 * server that requires SigV4 (as `ballast serve --require-auth` does), so every call below is
 * also a signature check of a form-encoded body.
 */

const KEY = { accessKeyId: 'AKIDQUERY', secretAccessKey: 'query-secret' };
const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describeLegacyClients('SQS query protocol: the AWS CLI 2.9 (/usr/bin/aws)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ credentials: [KEY] });
  });
  afterAll(async () => {
    await t.close();
  });

  const cli = (args: string[], key = KEY): Promise<ClientRun> =>
    run(DEBIAN_AWS, ['--endpoint-url', t.url, '--output', 'json', 'sqs', ...args], clientEnv(key));
  /** Runs an `aws sqs` command that must succeed; its JSON output (`{}` when none). */
  const aws = async (...args: string[]): Promise<Json> => {
    const r = await cli(args);
    expect(r.stderr, `aws sqs ${args.join(' ')}`).toBe('');
    expect(r.code).toBe(0);
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Json);
  };
  const url = (name: string): string => `${t.url}/000000000000/${name}`;

  it('creates a queue with attributes and tags, finds it and lists it', async () => {
    const created = await aws(
      'create-queue',
      '--queue-name',
      'cli-orders',
      '--attributes',
      'VisibilityTimeout=45,DelaySeconds=0,MaximumMessageSize=2048',
      '--tags',
      'team=core,env=test',
    );
    expect(created).toEqual({ QueueUrl: url('cli-orders') });
    await aws('create-queue', '--queue-name', 'cli-other');
    expect(await aws('get-queue-url', '--queue-name', 'cli-orders')).toEqual({
      QueueUrl: url('cli-orders'),
    });
    const listed = await aws('list-queues');
    expect(listed.QueueUrls).toEqual(expect.arrayContaining([url('cli-orders'), url('cli-other')]));
    expect(await aws('list-queues', '--queue-name-prefix', 'cli-o')).toEqual({
      QueueUrls: [url('cli-orders'), url('cli-other')],
    });
    const attrs = await aws(
      'get-queue-attributes',
      '--queue-url',
      url('cli-orders'),
      '--attribute-names',
      'All',
    );
    expect(attrs.Attributes).toMatchObject({
      VisibilityTimeout: '45',
      MaximumMessageSize: '2048',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:cli-orders',
    });
    expect(await aws('list-queue-tags', '--queue-url', url('cli-orders'))).toEqual({
      Tags: { team: 'core', env: 'test' },
    });
  });

  it('sends with message attributes and receives every attribute back, MD5s matching', async () => {
    const body = 'line one\r\nline two <b>&amp;</b> ]]> ünïcödé 🎉';
    const attributes = {
      trace: { DataType: 'String', StringValue: 'abc <&>' },
      amount: { DataType: 'Number', StringValue: '12.5' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') },
    };
    const sent = await aws(
      'send-message',
      '--queue-url',
      url('cli-orders'),
      '--message-body',
      body,
      '--message-attributes',
      JSON.stringify(attributes),
    );
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    const expectedAttrMd5 = md5OfAttributes({
      trace: { dataType: 'String', stringValue: 'abc <&>' },
      amount: { dataType: 'Number', stringValue: '12.5' },
      blob: { dataType: 'Binary', binaryValue: attributes.blob.BinaryValue },
    });
    expect(sent.MD5OfMessageAttributes).toBe(expectedAttrMd5);

    const received = await aws(
      'receive-message',
      '--queue-url',
      url('cli-orders'),
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
    );
    expect(received.Messages).toHaveLength(1);
    const m = received.Messages[0] as Json;
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.Body).toBe(body);
    expect(m.MD5OfBody).toBe(md5(body));
    expect(m.MD5OfMessageAttributes).toBe(expectedAttrMd5);
    expect(m.MessageAttributes).toEqual(attributes);
    expect(m.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: '000000000000',
    });
    expect(Number(m.Attributes.SentTimestamp)).toBeGreaterThan(0);

    await aws(
      'change-message-visibility',
      '--queue-url',
      url('cli-orders'),
      '--receipt-handle',
      m.ReceiptHandle,
      '--visibility-timeout',
      '0',
    );
    const again = await aws('receive-message', '--queue-url', url('cli-orders'));
    expect(again.Messages[0].MessageId).toBe(sent.MessageId);
    expect(
      await aws(
        'delete-message',
        '--queue-url',
        url('cli-orders'),
        '--receipt-handle',
        again.Messages[0].ReceiptHandle,
      ),
    ).toEqual({});
    expect(await aws('receive-message', '--queue-url', url('cli-orders'))).toEqual({});
  });

  it('sends, re-times and deletes in batches, with per-entry failures', async () => {
    const sent = await aws(
      'send-message-batch',
      '--queue-url',
      url('cli-other'),
      '--entries',
      JSON.stringify([
        { Id: 'a', MessageBody: 'first' },
        {
          Id: 'b',
          MessageBody: 'second',
          MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
        },
        { Id: 'c', MessageBody: 'late', DelaySeconds: 901 },
      ]),
    );
    expect(sent.Successful.map((s: Json) => s.Id).sort()).toEqual(['a', 'b']);
    expect(sent.Successful.find((s: Json) => s.Id === 'a').MD5OfMessageBody).toBe(md5('first'));
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'c', SenderFault: true, Code: expect.any(String) }),
    ]);

    const received = await aws(
      'receive-message',
      '--queue-url',
      url('cli-other'),
      '--max-number-of-messages',
      '10',
    );
    const messages = received.Messages as Json[];
    expect(messages.map((m) => m.Body).sort()).toEqual(['first', 'second']);
    const changed = await aws(
      'change-message-visibility-batch',
      '--queue-url',
      url('cli-other'),
      '--entries',
      JSON.stringify([
        ...messages.map((m, i) => ({
          Id: `v${i}`,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 120,
        })),
        { Id: 'bad', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 5 },
      ]),
    );
    expect(changed.Successful.map((s: Json) => s.Id).sort()).toEqual(['v0', 'v1']);
    expect(changed.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
    ]);
    const deleted = await aws(
      'delete-message-batch',
      '--queue-url',
      url('cli-other'),
      '--entries',
      JSON.stringify(messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }))),
    );
    expect(deleted).toEqual({ Successful: [{ Id: 'd0' }, { Id: 'd1' }] });
  });

  it('sets attributes, tags and untags, purges and deletes', async () => {
    await aws(
      'set-queue-attributes',
      '--queue-url',
      url('cli-other'),
      '--attributes',
      'VisibilityTimeout=7,ReceiveMessageWaitTimeSeconds=0',
    );
    const attrs = await aws(
      'get-queue-attributes',
      '--queue-url',
      url('cli-other'),
      '--attribute-names',
      'VisibilityTimeout',
    );
    expect(attrs).toEqual({ Attributes: { VisibilityTimeout: '7' } });
    await aws('tag-queue', '--queue-url', url('cli-other'), '--tags', 'a=1,b=2');
    await aws('untag-queue', '--queue-url', url('cli-other'), '--tag-keys', 'a');
    expect(await aws('list-queue-tags', '--queue-url', url('cli-other'))).toEqual({
      Tags: { b: '2' },
    });
    await aws('send-message', '--queue-url', url('cli-other'), '--message-body', 'doomed');
    await aws('purge-queue', '--queue-url', url('cli-other'));
    expect(await aws('receive-message', '--queue-url', url('cli-other'))).toEqual({});
    await aws('delete-queue', '--queue-url', url('cli-other'));
    expect((await aws('list-queues')).QueueUrls).not.toContain(url('cli-other'));
  });

  it('runs a FIFO queue: group and deduplication ids, sequence numbers', async () => {
    await aws(
      'create-queue',
      '--queue-name',
      'cli-jobs.fifo',
      '--attributes',
      'FifoQueue=true,ContentBasedDeduplication=false',
    );
    const send = (body: string, dedup: string): Promise<Json> =>
      aws(
        'send-message',
        '--queue-url',
        url('cli-jobs.fifo'),
        '--message-body',
        body,
        '--message-group-id',
        'g1',
        '--message-deduplication-id',
        dedup,
      );
    const first = await send('one', 'd1');
    const dup = await send('one again', 'd1');
    const second = await send('two', 'd2');
    expect(dup.MessageId).toBe(first.MessageId);
    expect(first.SequenceNumber).toMatch(/^\d+$/);
    expect(BigInt(second.SequenceNumber)).toBeGreaterThan(BigInt(first.SequenceNumber));
    const received = await aws(
      'receive-message',
      '--queue-url',
      url('cli-jobs.fifo'),
      '--max-number-of-messages',
      '10',
      '--attribute-names',
      'All',
    );
    expect(received.Messages.map((m: Json) => m.Body)).toEqual(['one', 'two']);
    expect(received.Messages[0].Attributes).toMatchObject({
      MessageGroupId: 'g1',
      MessageDeduplicationId: 'd1',
      SequenceNumber: first.SequenceNumber,
    });
  });

  it("prints SQS's query error codes for failures", async () => {
    const missing = await cli(['get-queue-url', '--queue-name', 'no-such-queue']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation',
    );
    const gone = await cli(['send-message', '--queue-url', url('nope'), '--message-body', 'x']);
    expect(gone.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
    const exists = await cli([
      'create-queue',
      '--queue-name',
      'cli-orders',
      '--attributes',
      'VisibilityTimeout=1',
    ]);
    expect(exists.stderr).toContain('(QueueAlreadyExists)');
    const badSecret = await cli(['list-queues'], { ...KEY, secretAccessKey: 'wrong' });
    expect(badSecret.stderr).toContain('(SignatureDoesNotMatch)');
    const badKey = await cli(['list-queues'], { ...KEY, accessKeyId: 'AKIDUNKNOWN' });
    expect(badKey.stderr).toContain('(InvalidClientTokenId)');
  });
});
