import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let queueUrl: string;
let fifoUrl: string;
beforeAll(async () => {
  t = await startTestServer();
  queueUrl = (await t.client.send(new CreateQueueCommand({ QueueName: 'fuzz' }))).QueueUrl!;
  fifoUrl = (
    await t.client.send(
      new CreateQueueCommand({ QueueName: 'fuzz.fifo', Attributes: { FifoQueue: 'true' } }),
    )
  ).QueueUrl!;
});
afterAll(() => t.close());

const OPERATIONS = [
  'AddPermission',
  'CancelMessageMoveTask',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'CreateQueue',
  'DeleteMessage',
  'DeleteMessageBatch',
  'DeleteQueue',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
  'ListQueues',
  'ListQueueTags',
  'PurgeQueue',
  'ReceiveMessage',
  'RemovePermission',
  'SendMessage',
  'SendMessageBatch',
  'SetQueueAttributes',
  'StartMessageMoveTask',
  'TagQueue',
  'UntagQueue',
];
const MEMBERS = [
  'QueueName',
  'Attributes',
  'tags',
  'Tags',
  'TagKeys',
  'AttributeNames',
  'MessageSystemAttributeNames',
  'MessageAttributeNames',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'ReceiveRequestAttemptId',
  'MessageBody',
  'DelaySeconds',
  'MessageAttributes',
  'MessageSystemAttributes',
  'MessageDeduplicationId',
  'MessageGroupId',
  'Entries',
  'ReceiptHandle',
  'NextToken',
  'MaxResults',
  'QueueNamePrefix',
  'QueueOwnerAWSAccountId',
  'SourceArn',
  'DestinationArn',
  'MaxNumberOfMessagesPerSecond',
  'TaskHandle',
  'Label',
  'AWSAccountIds',
  'Actions',
];
const VALUES: unknown[] = [
  0,
  -1,
  1.5,
  1e300,
  11,
  'x',
  '',
  'All',
  '.*',
  '\u0000',
  'arn:aws:sqs:us-east-1:000000000000:fuzz',
  true,
  null,
  [],
  ['x'],
  [1],
  ['All'],
  {},
  { a: 'b' },
  { a: 1 },
  { VisibilityTimeout: '-5' },
  { a: { DataType: 'String' } },
  { a: { DataType: 'Binary', BinaryValue: 'AA==' } },
  { AWSTraceHeader: { DataType: 'Number', StringValue: '1' } },
  [{ Id: 'a' }],
  [{}],
  [{ Id: 'a', MessageBody: 5 }],
  [{ Id: 'a', ReceiptHandle: 'x', VisibilityTimeout: 'y' }],
  'MS4xLnd5OFJFMUhrTndOZ09XRllROExaUlE',
  '{"deadLetterTargetArn":1}',
];

/** A deterministic pseudo-random sequence (so a failure can be replayed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('arbitrary member values never cause a 5xx', () => {
  it('every operation answers 2xx or an SQS-shaped 4xx for random inputs', async () => {
    const next = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const failures: string[] = [];
    for (const op of OPERATIONS) {
      for (let i = 0; i < 30; i++) {
        const body: Record<string, unknown> = {};
        const roll = next();
        if (roll < 0.45) body.QueueUrl = queueUrl;
        else if (roll < 0.6) body.QueueUrl = fifoUrl;
        else if (roll < 0.7) body.QueueUrl = pick(VALUES);
        for (let k = 0; k < 3; k++) body[pick(MEMBERS)] = pick(VALUES);
        // Keep the run short: no real long polls.
        if (typeof body.WaitTimeSeconds === 'number') body.WaitTimeSeconds = 0;
        if (op === 'DeleteQueue' && body.QueueUrl === queueUrl) continue;
        const res = await t.call(op, body);
        const ok =
          res.status === 200 ||
          (res.status >= 400 && res.status < 500 && typeof res.body.__type === 'string');
        if (!ok)
          failures.push(
            `${op} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });
});
