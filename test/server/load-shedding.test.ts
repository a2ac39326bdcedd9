/**
 * `ballast serve --max-concurrent N` (`maxConcurrentRequests`): past N requests in flight the server
 * answers 503 with Retry-After at once, while /healthz and /metrics keep answering 200. A long poll
 * holds a request open; the test knows it is in flight when it subscribes to wake-ups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppOptions } from '../../src/server/options.js';
import { startTestServer, type TestServer } from './helpers.js';

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
      expect(shed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(shed.body).toMatchObject({ status: 503 });
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      const metrics = await fetch(`${t.url}/metrics`);
      expect(metrics.status).toBe(200);
      // The shed request went through the request metrics as a 503.
      const text = await metrics.text();
      expect(text).toMatch(/ballast_http_requests_total\{[^}]*status="503"[^}]*\} 1/);
      // …and in the shedder's own counters, with the long poll still in flight.
      expect(text).toMatch(/^ballast_load_shedding_shed_total 1$/m);
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
