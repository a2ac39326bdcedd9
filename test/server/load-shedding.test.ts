/**
 * `ballast serve --max-concurrent N` (`maxConcurrentRequests`): past N requests in flight the server
 * answers 503 with Retry-After at once, while /healthz and /metrics keep answering 200. A long poll
 * holds a request open; the test knows it is in flight when it subscribes to wake-ups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppOptions } from '../../src/server/options.js';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

describe('ballast serve with maxConcurrentRequests', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxConcurrentRequests: 1 });
  });
  afterAll(() => t.close());

  it('sheds past the limit with 503 + Retry-After, keeps /healthz and /metrics at 200, and admits again once the request ends', async () => {
    const created = await t.call('CreateQueue', { QueueName: 'shedding' });
    const queueUrl = created.body.QueueUrl as string;
    // The long poll is in flight (admitted, past body parsing) once it subscribes to wake-ups.
    const queues = t.ballast.store.queues;
    const onWake = queues.onWake;
    const polling = new Promise<void>((resolve) => {
      queues.onWake = (id, listener) => {
        resolve();
        return onWake.call(queues, id, listener);
      };
    });
    try {
      const poll = t.call('ReceiveMessage', { QueueUrl: queueUrl, WaitTimeSeconds: 20 });
      await polling;

      const shed = await t.call('ListQueues', {});
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('1');
      // In the SQS JSON error shape (issue 14; it was application/problem+json), so SDKs read a
      // code they retry: the query code for boto3, __type for the SDK v3.
      expect(shed.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(shed.headers.get('x-amzn-query-error')).toBe('RequestThrottled;Receiver');
      expect(shed.body).toMatchObject({ __type: 'com.amazonaws.sqs#RequestThrottled' });
      expect(shed.body.message).toMatch(/More than 1 requests are in flight/);
      const sdk = await rejection(t.client.send(new ListQueuesCommand({})));
      expect(errorSummary(sdk)).toEqual({
        name: 'RequestThrottled',
        code: 'RequestThrottled',
        status: 503,
      });
      // EventBridge callers get its JSON 1.1 shape.
      const events = await fetch(`${t.url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSEvents.ListEventBuses',
        },
        body: '{}',
      });
      expect(events.status).toBe(503);
      expect(events.headers.get('retry-after')).toBe('1');
      expect(events.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
      expect(await events.json()).toMatchObject({ __type: 'ThrottlingException' });
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      const metrics = await fetch(`${t.url}/metrics`);
      expect(metrics.status).toBe(200);
      // The shed request went through the request metrics as a 503.
      const text = await metrics.text();
      expect(text).toMatch(/ballast_http_requests_total\{[^}]*status="503"[^}]*\} 3/);
      // …and in the shedder's own counters, with the long poll still in flight.
      expect(text).toMatch(/^ballast_load_shedding_shed_total 3$/m);
      expect(text).toMatch(/^ballast_load_shedding_in_flight 1$/m);

      await (await t.ballast.queues.get('shedding')).send('wake');
      const received = await poll;
      expect(received.status).toBe(200);
      expect((received.body.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(['wake']);
      expect((await t.call('ListQueues', {})).status).toBe(200);
    } finally {
      queues.onWake = onWake;
    }
  });

  it('rejects a limit outside 1–1,000,000 when options are resolved', () => {
    for (const bad of [0, 1.5, 1_000_001])
      expect(() => resolveAppOptions({ maxConcurrentRequests: bad })).toThrow(
        expect.objectContaining({ code: 'InvalidParameterValue' }),
      );
    expect(resolveAppOptions({}).maxConcurrentRequests).toBeNull();
  });
});
