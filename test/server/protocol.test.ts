import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor, within } from '../helpers/ballast.js';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let queueUrl: string;
beforeAll(async () => {
  t = await startTestServer({ maxRequestBytes: 64 * 1024 });
  queueUrl = (await t.client.send(new CreateQueueCommand({ QueueName: 'proto' }))).QueueUrl!;
});
afterAll(() => t.close());

/** The server still answers a normal request. */
async function stillServing(): Promise<void> {
  const ok = await t.call('GetQueueUrl', { QueueName: 'proto' });
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ QueueUrl: queueUrl });
}

function expectError(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  code: string,
  queryCode = code,
): void {
  expect(res.status).toBe(status);
  expect(res.body.__type).toMatch(new RegExp(`#${code}$`));
  expect(typeof res.body.message).toBe('string');
  expect(res.headers.get('x-amzn-query-error')).toBe(`${queryCode};Sender`);
  expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
}

describe('bad input gets a 4xx SQS error and the server keeps serving', () => {
  it('malformed JSON → SerializationException; a non-object body too', async () => {
    expectError(
      await t.call('ListQueues', null, { raw: '{"QueueNamePrefix":' }),
      400,
      'SerializationException',
    );
    expectError(await t.call('ListQueues', null, { raw: '[1,2]' }), 400, 'SerializationException');
    await stillServing();
  });

  it('an unknown or missing X-Amz-Target → InvalidAction', async () => {
    expectError(await t.call('Explode', {}), 400, 'InvalidAction');
    expectError(
      await t.call('ListQueues', {}, { headers: { 'x-amz-target': 'AmazonSNS.ListTopics' } }),
      400,
      'InvalidAction',
    );
    const res = await fetch(`${t.url}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/#InvalidAction$/);
    await stillServing();
  });

  it('wrong member types → InvalidParameterValue; missing members → MissingParameter', async () => {
    expectError(
      await t.call('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: '5' }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('ReceiveMessage', { QueueUrl: queueUrl, WaitTimeSeconds: 1.5 }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('SendMessage', { QueueUrl: queueUrl, MessageBody: 42 }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('SendMessage', { QueueUrl: 7, MessageBody: 'x' }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('CreateQueue', { QueueName: 'typed', Attributes: { VisibilityTimeout: 30 } }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('CreateQueue', { QueueName: 'typed', Attributes: ['x'] }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('SendMessageBatch', { QueueUrl: queueUrl, Entries: 'x' }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('SendMessageBatch', {
        QueueUrl: queueUrl,
        Entries: [{ Id: 'a', MessageBody: 'x', MessageAttributes: { a: 'x' } }],
      }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('SendMessage', {
        QueueUrl: queueUrl,
        MessageBody: 'x',
        MessageAttributes: { b: { DataType: 'Binary', BinaryValue: '***' } },
      }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await t.call('UntagQueue', { QueueUrl: queueUrl, TagKeys: [1] }),
      400,
      'InvalidParameterValue',
    );
    expectError(await t.call('SendMessage', { MessageBody: 'x' }), 400, 'MissingParameter');
    expectError(await t.call('SendMessage', { QueueUrl: queueUrl }), 400, 'MissingParameter');
    expectError(
      await t.call('DeleteMessageBatch', { QueueUrl: queueUrl }),
      400,
      'MissingParameter',
    );
    expectError(
      await t.call('ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: 'x' }),
      400,
      'MissingParameter',
    );
    expectError(await t.call('CreateQueue', {}), 400, 'MissingParameter');
    await stillServing();
  });

  it('a malformed QueueUrl → InvalidAddress; another account → QueueDoesNotExist', async () => {
    expectError(await t.call('PurgeQueue', { QueueUrl: 'http://[::1' }), 404, 'InvalidAddress');
    expectError(
      await t.call('PurgeQueue', { QueueUrl: `${t.url}/000000000000/proto/extra` }),
      404,
      'InvalidAddress',
    );
    expectError(await t.call('PurgeQueue', { QueueUrl: `${t.url}/` }), 404, 'InvalidAddress');
    expectError(
      await t.call('PurgeQueue', { QueueUrl: `${t.url}/1/proto` }),
      400,
      'QueueDoesNotExist',
      'AWS.SimpleQueueService.NonExistentQueue',
    );
    await stillServing();
  });

  it('an oversized body → 413 without being buffered, declared or chunked', async () => {
    const big = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(100 * 1024) });
    expectError(await t.call('SendMessage', null, { raw: big }), 413, 'RequestEntityTooLarge');
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++)
          controller.enqueue(new TextEncoder().encode(' '.repeat(8 * 1024)));
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/`, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonSQS.ListQueues',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    await stillServing();
  });

  it('unknown routes answer 404 with a request id; every response carries x-amzn-RequestId', async () => {
    const res = await fetch(`${t.url}/nothing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    await res.arrayBuffer();
    const ok = await t.call('ListQueues', {});
    expect(ok.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    await health.arrayBuffer();
  });

  it('an empty body counts as {} (operations without input)', async () => {
    const res = await t.call('ListQueues', null, { raw: '' });
    expect(res.status).toBe(200);
    expect(res.body.QueueUrls).toEqual([queueUrl]);
  });
});

/** How many ReceiveMessage requests the server has answered (its metrics count one when the handler returns). */
async function receivesAnswered(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [
    ...text.matchAll(/^ballast_http_requests_total\{operation="ReceiveMessage",[^}]*\} (\d+)$/gm),
  ].reduce((n, m) => n + Number(m[1]), 0);
}

// Servers on a FakeClock that never moves: a poll is seen parked (its sleep registered), and it can
// end only by the disconnect or the close under test, never by its own timer.
describe('long polls end early', () => {
  it('when the client disconnects: the abandoned poll claims nothing sent afterwards', async () => {
    const clock = new FakeClock();
    const own = await startTestServer({ ballastOptions: { clock } });
    try {
      const url = (await own.client.send(new CreateQueueCommand({ QueueName: 'disconnect' })))
        .QueueUrl!;
      const answered = await receivesAnswered(own);
      const base = clock.pendingSleepers;
      const abort = new AbortController();
      const poll = own.client.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
        { abortSignal: abort.signal },
      );
      poll.catch(() => undefined);
      await waitFor(() => clock.pendingSleepers > base); // the server is polling
      abort.abort();
      // The abandoned poll has ended on the server (it ends only by the disconnect: the clock stands still).
      await waitFor(async () => (await receivesAnswered(own)) > answered);
      await own.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
      // No wait: the send committed it (and a wait would never end on this clock).
      const { Messages } = await own.client.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }),
      );
      expect(Messages?.map((m) => m.Body)).toEqual(['after']);
    } finally {
      await own.close();
    }
  });

  it('when the server closes: close() ends the poll, which answers with no messages', async () => {
    const clock = new FakeClock();
    const other = await startTestServer({ ballastOptions: { clock } });
    const url = (await other.client.send(new CreateQueueCommand({ QueueName: 'closing' })))
      .QueueUrl!;
    const base = clock.pendingSleepers;
    const poll = other.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
    );
    await waitFor(() => clock.pendingSleepers > base); // the server is polling
    await within(other.server.close(), 'close() with a long poll in flight');
    const result = await within(poll, 'the answer to the poll');
    expect(result.Messages).toBeUndefined();
    await other.close();
  });
});
