import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { advanceUntil, waitFor } from '../helpers/ballast.js';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
// A FakeClock that never moves: a rate-limited move task moves its first message and then waits
// for the next second, which never comes, so it is still running whenever the test looks.
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock();
  t = await startTestServer({ ballastOptions: { clock } });
});
afterAll(() => t.close());

const arn = (name: string): string => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const create = async (QueueName: string, Attributes?: Record<string, string>): Promise<string> =>
  (
    await t.client.send(
      new CreateQueueCommand({ QueueName, ...(Attributes ? { Attributes } : {}) }),
    )
  ).QueueUrl!;

/** A source queue with maxReceiveCount 1 and its DLQ holding `bodies` (dead-lettered by two receives). */
async function deadLettered(
  prefix: string,
  bodies: string[],
): Promise<{ source: string; dlq: string }> {
  const dlq = await create(`${prefix}-dlq`);
  const source = await create(`${prefix}-src`, {
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: arn(`${prefix}-dlq`),
      maxReceiveCount: 1,
    }),
  });
  await t.client.send(
    new SendMessageBatchCommand({
      QueueUrl: source,
      Entries: bodies.map((b, i) => ({ Id: `e${i}`, MessageBody: b })),
    }),
  );
  await t.client.send(
    new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  const second = await t.client.send(
    new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 }),
  );
  expect(second.Messages).toBeUndefined();
  return { source, dlq };
}

describe('dead-letter queues and message move tasks over HTTP', () => {
  it('dead-lettered messages carry DeadLetterQueueSourceArn; a move task without DestinationArn returns them to their source', async () => {
    const { source, dlq } = await deadLettered('back', ['x', 'y']);
    const inDlq = await t.client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'],
      }),
    );
    expect(inDlq.Messages!.map((m) => m.Attributes)).toEqual([
      { DeadLetterQueueSourceArn: arn('back-src') },
      { DeadLetterQueueSourceArn: arn('back-src') },
    ]);
    const { TaskHandle } = await t.client.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn('back-dlq') }),
    );
    expect(typeof TaskHandle).toBe('string');
    await waitFor(async () => {
      const { Results } = await t.client.send(
        new ListMessageMoveTasksCommand({ SourceArn: arn('back-dlq') }),
      );
      return Results?.[0]?.Status === 'COMPLETED';
    });
    const { Results } = await t.client.send(
      new ListMessageMoveTasksCommand({ SourceArn: arn('back-dlq'), MaxResults: 10 }),
    );
    expect(Results).toHaveLength(1);
    expect(Results![0]).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: arn('back-dlq'),
      ApproximateNumberOfMessagesMoved: 2,
    });
    expect(Results![0]!.TaskHandle).toBeUndefined();
    expect(typeof Results![0]!.StartedTimestamp).toBe('number');
    const back = await t.client.send(
      new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 }),
    );
    expect(back.Messages!.map((m) => m.Body).sort()).toEqual(['x', 'y']);
  });

  it('moves to an explicit DestinationArn and can be cancelled while running', async () => {
    await deadLettered('slow', ['1', '2', '3', '4', '5']);
    const dest = await create('slow-dest');
    const { TaskHandle } = await t.client.send(
      new StartMessageMoveTaskCommand({
        SourceArn: arn('slow-dlq'),
        DestinationArn: arn('slow-dest'),
        MaxNumberOfMessagesPerSecond: 1,
      }),
    );
    const running = await t.client.send(
      new ListMessageMoveTasksCommand({ SourceArn: arn('slow-dlq') }),
    );
    expect(running.Results![0]).toMatchObject({
      Status: 'RUNNING',
      TaskHandle,
      DestinationArn: arn('slow-dest'),
      MaxNumberOfMessagesPerSecond: 1,
    });
    const second = await rejection(
      t.client.send(new StartMessageMoveTaskCommand({ SourceArn: arn('slow-dlq') })),
    );
    expect(second.name).toBe('UnsupportedOperation');
    const task = async () =>
      (await t.client.send(new ListMessageMoveTasksCommand({ SourceArn: arn('slow-dlq') })))
        .Results![0]!;
    // The first second's message is moved; the task then waits for the next second.
    await waitFor(async () => (await task()).ApproximateNumberOfMessagesMoved === 1);
    const cancelled = await t.client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(1);
    // The next second comes: the task sees the cancel before moving more.
    await advanceUntil(clock, async () => (await task()).Status === 'CANCELLED', 1_000);
    const moved = await t.client.send(
      new ReceiveMessageCommand({ QueueUrl: dest, MaxNumberOfMessages: 10 }),
    );
    expect((moved.Messages ?? []).length).toBe(1); // the first second's message, no more
  });

  it('move task errors: unknown source, not a DLQ, unknown handle', async () => {
    const missing = await rejection(
      t.client.send(new StartMessageMoveTaskCommand({ SourceArn: arn('nope') })),
    );
    expect(errorSummary(missing)).toEqual({
      name: 'ResourceNotFoundException',
      code: 'ResourceNotFoundException',
      status: 404,
    });
    const plain = await create('not-a-dlq');
    await t.client.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: 'x' }));
    expect(
      (
        await rejection(
          t.client.send(new StartMessageMoveTaskCommand({ SourceArn: arn('not-a-dlq') })),
        )
      ).name,
    ).toBe('InvalidParameterValue');
    const handle = await rejection(
      t.client.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bogus' })),
    );
    expect(handle.name).toBe('ResourceNotFoundException');
  });
});
