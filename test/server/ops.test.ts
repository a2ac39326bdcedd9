import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { register as globalRegistry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type ServerLogger } from '../../src/server/index.js';
import { openTestBallast, waitFor } from '../helpers/ballast.js';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await t?.close();
  t = undefined;
});

function recordingLogger(): ServerLogger & {
  lines: { level: string; obj: Record<string, unknown>; msg?: string }[];
} {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} while the store answers, 503 when it does not', async () => {
    t = await startTestServer();
    const ok = await fetch(`${t.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    vi.spyOn(t.ballast.store, 'ping').mockRejectedValue(new Error('disk gone'));
    const down = await fetch(`${t.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', reason: 'the store failed' });
  });
});

describe('GET /metrics', () => {
  it('exposes per-queue depth gauges, message counters and HTTP request metrics', async () => {
    t = await startTestServer();
    const url = (await t.client.send(new CreateQueueCommand({ QueueName: 'met' }))).QueueUrl!;
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b' }));
    await t.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'c', DelaySeconds: 60 }),
    );
    const [m] = (await t.client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
    await t.client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 60 }));
    await t.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }),
    );
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('ballast_queue_messages_visible{queue="met"} 0');
    expect(text).toContain('ballast_queue_messages_delayed{queue="met"} 1');
    expect(text).toContain('ballast_queue_messages_in_flight{queue="met"} 1');
    expect(text).toMatch(/ballast_queue_oldest_message_age_seconds\{queue="met"\} \d+/);
    expect(text).toContain('ballast_messages_sent_total{queue="met"} 3');
    expect(text).toContain('ballast_messages_received_total{queue="met"} 2');
    expect(text).toContain('ballast_messages_deleted_total{queue="met"} 1');
    expect(text).toContain('ballast_http_requests_total{operation="SendMessage",status="200"} 3');
    expect(text).toMatch(
      /ballast_http_request_duration_seconds_count\{operation="ReceiveMessage",status="200"\} 2/,
    );
    // Process and Node.js metrics are on the server's own registry, never prom-client's global one.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(globalRegistry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it('two servers in one process each have the default metrics, with no duplicate registration', async () => {
    t = await startTestServer();
    const other = await startTestServer();
    try {
      for (const url of [t.url, other.url]) {
        const res = await fetch(`${url}/metrics`);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text.match(/^# HELP process_cpu_user_seconds_total /gm)).toHaveLength(1);
        expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      }
    } finally {
      await other.close();
    }
  });

  it('counts bus events: put, dispatched, rule matches and delivery outcomes', async () => {
    t = await startTestServer();
    const b = t.ballast;
    await b.queues.create('bus-sink');
    await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
    await b.bus.putTargets('r', [
      { id: 'q', arn: b.queues.arn('bus-sink') },
      { id: 'f', arn: b.bus.functionArn('missing-here'), retryPolicy: { maximumRetryAttempts: 0 } },
    ]);
    b.bus.registerFunction('missing-here', () => {
      throw new Error('no');
    });
    await b.bus.putEvents([
      { source: 'shop', detailType: 'T', detail: '{}' },
      { source: 'shop', detailType: 'T', detail: '{}' },
    ]);
    const scrape = async () => (await fetch(`${t!.url}/metrics`)).text();
    let text = '';
    // Until both deliveries are dropped (background work: a time bound, not a count of scrapes).
    await waitFor(async () =>
      (text = await scrape()).includes('ballast_deliveries_total{outcome="dropped"} 2'),
    );
    expect(text).toContain('ballast_events_put_total{bus="default"} 2');
    expect(text).toContain('ballast_events_dispatched_total 2');
    expect(text).toContain('ballast_rule_matches_total 2');
    expect(text).toContain('ballast_deliveries_total{outcome="failed_final"} 2');
    expect(text).toContain('ballast_deliveries_total{outcome="dropped"} 2');
    // The queue target's deliveries happen in the dispatch transaction: counted as delivered.
    expect(text).toContain('ballast_deliveries_total{outcome="delivered"} 2');
    expect(text).toMatch(/# HELP ballast_deliveries_total .*by outcome \(the one label\)/);
  });

  it('createApp works without listening, and close() removes its event listeners', async () => {
    const ballast = await openTestBallast();
    const before = ballast.queues.events.listenerCount('message:sent');
    const app = createApp(ballast, {
      publicUrl: 'http://sqs.example:9000',
      logger: recordingLogger(),
    });
    expect(ballast.queues.events.listenerCount('message:sent')).toBeGreaterThan(before);
    const res = await app.request('/', {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonSQS.CreateQueue',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: JSON.stringify({ QueueName: 'standalone' }),
    });
    expect(await res.json()).toEqual({
      QueueUrl: 'http://sqs.example:9000/000000000000/standalone',
    });
    await app.close();
    await app.close();
    expect(ballast.queues.events.listenerCount('message:sent')).toBe(before);
    await ballast.close();
  });
});

describe('errors and logging', () => {
  it('an unexpected failure is a 500 InternalError that leaks nothing, logged with its cause', async () => {
    const logger = recordingLogger();
    t = await startTestServer({ logger });
    vi.spyOn(t.ballast.queues, 'list').mockRejectedValue(new Error('secret internals at /etc/db'));
    const e = await rejection(t.client.send(new ListQueuesCommand({})));
    expect(errorSummary(e)).toEqual({ name: 'InternalError', code: 'InternalError', status: 500 });
    expect(e.message).not.toContain('secret');
    const logged = logger.lines.find((l) => l.level === 'error');
    expect(logged?.obj).toMatchObject({
      operation: 'ListQueues',
      code: 'InternalError',
      status: 500,
    });
    expect(String(logged?.obj.err)).toContain('secret internals');
    const raw = await t.call('ListQueues', {});
    expect(raw.headers.get('x-amzn-query-error')).toBe('InternalError;Receiver');
  });

  it('logs startup, queue traffic at debug, client errors at info, and close', async () => {
    const logger = recordingLogger();
    t = await startTestServer({ logger });
    const url = (await t.client.send(new CreateQueueCommand({ QueueName: 'logged' }))).QueueUrl!;
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await rejection(
      t.client.send(new SendMessageCommand({ QueueUrl: `${url}-missing`, MessageBody: 'x' })),
    );
    await t.server.close();
    const summary = logger.lines.map((l) => `${l.level}:${l.msg}`);
    expect(summary[0]).toBe('info:ballast server listening');
    expect(summary).toContain('debug:message:sent');
    expect(logger.lines.find((l) => l.msg === 'request rejected')?.obj).toMatchObject({
      code: 'QueueDoesNotExist',
      operation: 'SendMessage',
    });
    expect(summary.at(-1)).toBe('info:ballast server closed');
    expect(logger.lines.some((l) => l.level === 'error')).toBe(false);
  });
});
