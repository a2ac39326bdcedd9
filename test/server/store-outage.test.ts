/**
 * A full disk over the wire (simulated with SQLite's max_page_count, deterministic): writes
 * answer 503 in each protocol's retryable shape, /healthz says degraded with the reason, the
 * gauge says 0, the log says when it started and ended; when space returns everything works
 * again and nothing acknowledged before was lost.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerLogger } from '../../src/server/index.js';
import { sqliteConnectionOf } from '../../src/store/sqlite/driver.js';
import { waitFor } from '../helpers/ballast.js';
import { fillSqlite, freeSqlite } from '../helpers/disk.js';
import { rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

type Line = { level: string; obj: Record<string, unknown>; msg?: string };
function recordingLogger(): ServerLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

const big = 'x'.repeat(16_384);

async function healthz(
  server: TestServer,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metric(server: TestServer, line: RegExp): Promise<string | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text.split('\n').find((l) => line.test(l));
}

async function putEvents(
  server: TestServer,
): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSEvents.PutEvents',
    },
    body: JSON.stringify({
      Entries: [{ Source: 'test', DetailType: 'disk', Detail: JSON.stringify({ pad: big }) }],
    }),
  });
  return {
    status: res.status,
    type: res.headers.get('x-amzn-ErrorType'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('a full disk over the wire', () => {
  it('answers 503 in each protocol’s retryable shape, reports degraded health, and recovers losing nothing acknowledged', async () => {
    const logger = recordingLogger();
    // No background probe: /healthz alone must notice the recovery.
    t = await startTestServer({ logger, storeProbeIntervalMs: 0 });
    const db = sqliteConnectionOf(t.ballast.store)!;
    const created = await t.call('CreateQueue', { QueueName: 'outage' });
    const QueueUrl = created.body.QueueUrl as string;
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = await t.call('SendMessage', { QueueUrl, MessageBody: `before-${i}` });
      expect(sent.status).toBe(200);
      acked.push(`before-${i}`);
    }
    expect(await healthz(t)).toEqual({ status: 200, body: { status: 'ok' } });

    fillSqlite(db);

    // SQS JSON: 503, the coral namespace, the query error header AWS SDKs read as retryable.
    const refused = await t.call('SendMessage', { QueueUrl, MessageBody: big });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('x-amzn-query-error')).toBe('ServiceUnavailable;Receiver');
    expect(refused.body).toEqual({
      __type: 'com.amazon.coral.service#StoreUnavailable',
      message: 'the SQLite store is unavailable: the disk is full (SQLITE_FULL)',
    });
    // The SDK retries it on its own (3 attempts here), then reports the 503.
    const sdk = t.newClient({ maxAttempts: 3 });
    const sdkError = await rejection(
      sdk.send(new SendMessageCommand({ QueueUrl, MessageBody: big })),
    );
    expect(sdkError.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 3 });
    // EventBridge JSON 1.1: its own name for the same outage.
    const events = await putEvents(t);
    expect(events).toMatchObject({
      status: 503,
      type: 'ServiceUnavailableException',
      body: { __type: 'ServiceUnavailableException' },
    });
    expect(events.body.message).toMatch(/disk is full/);

    const degraded = await healthz(t);
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({
      status: 'degraded',
      reason: 'the disk is full',
      code: 'SQLITE_FULL',
    });
    expect(Date.parse(degraded.body.since as string)).not.toBeNaN();
    expect(await metric(t, /^ballast_store_available /)).toBe('ballast_store_available 0');
    const errors = await metric(t, /^ballast_store_errors_total\{code="SQLITE_FULL"\} /);
    expect(Number(errors?.split(' ')[1])).toBeGreaterThanOrEqual(5);
    // One outage, logged once at error level with the code, however many calls failed.
    const started = logger.lines.filter((l) => l.obj.event === 'store:outage');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      level: 'error',
      obj: { code: 'SQLITE_FULL', reason: 'the disk is full' },
    });
    // Each refused request, in either protocol, is a warning without a stack trace, not an error.
    const refusedLines = logger.lines.filter((l) => l.msg === 'request failed: store unavailable');
    expect(refusedLines.map((l) => [l.level, l.obj.operation])).toEqual(
      expect.arrayContaining([
        ['warn', 'SendMessage'],
        ['warn', 'PutEvents'],
      ]),
    );
    expect(
      logger.lines.filter((l) => l.level === 'error' && l.obj.event !== 'store:outage'),
    ).toEqual([]);

    freeSqlite(db);

    // No traffic in between: the health check's own probe finds the space.
    expect(await healthz(t)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(logger.lines.filter((l) => l.obj.event === 'store:recovered')).toEqual([
      expect.objectContaining({
        level: 'info',
        obj: expect.objectContaining({ code: 'SQLITE_FULL', durationMs: expect.any(Number) }),
      }),
    ]);
    expect(await metric(t, /^ballast_store_available /)).toBe('ballast_store_available 1');
    const after = await t.call('SendMessage', { QueueUrl, MessageBody: 'after' });
    expect(after.status).toBe(200);
    expect((await putEvents(t)).status).toBe(200);

    // Every acknowledged message is there once; none of the refused ones is.
    const bodies: string[] = [];
    for (;;) {
      const got = await t.call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 });
      const messages = (got.body.Messages ?? []) as { Body: string }[];
      if (messages.length === 0) break;
      bodies.push(...messages.map((m) => m.Body));
    }
    expect(bodies.sort()).toEqual([...acked, 'after'].sort());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('while writes fail, the server probes in the background: the condition recovers with no request at all', async () => {
    t = await startTestServer({ storeProbeIntervalMs: 10 });
    const db = sqliteConnectionOf(t.ballast.store)!;
    const QueueUrl = (await t.call('CreateQueue', { QueueName: 'quiet' })).body.QueueUrl as string;
    fillSqlite(db);
    expect((await t.call('SendMessage', { QueueUrl, MessageBody: big })).status).toBe(503);
    expect(t.ballast.store.condition().writable).toBe(false);
    freeSqlite(db);
    await waitFor(() => t!.ballast.store.condition().writable);
    expect(await metric(t, /^ballast_store_available /)).toBe('ballast_store_available 1');
  });

  it('/healthz answers unavailable with the reason when the store does not answer at all', async () => {
    t = await startTestServer();
    await t.ballast.store.close();
    const res = await healthz(t);
    expect(res).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'the store is closed' },
    });
  });
});
