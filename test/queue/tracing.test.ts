import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { openTestBallast, waitFor } from '../helpers/ballast.js';
import { installTracing, parentOf, spanNamed, type TestTracing } from '../helpers/otel.js';
import { PG_URL, describePg, dropSchemas, freshSchema } from '../helpers/pg.js';

let tracing: TestTracing;
beforeAll(() => {
  tracing = installTracing();
});
afterAll(async () => {
  await tracing.close();
  await dropSchemas();
});
afterEach(() => tracing.reset());

/** send → consumer handler: one trace, the handler's span a child (and link) of the send span. */
function traceSuite(open: () => Promise<Ballast>): void {
  it('a consumer handler runs in a CONSUMER span under the send span: one trace', async () => {
    await using ballast = await open();
    const queue = await ballast.queues.create('orders');
    const handled: string[] = [];
    const inner: string[] = [];
    await trace.getTracer('app').startActiveSpan('checkout', async (root) => {
      await queue.send('o-1');
      root.end();
    });
    const consumer = queue.consume((m) => {
      handled.push(m.body);
      // The handler's own spans nest under the process span.
      inner.push(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
    });
    await waitFor(() => handled.length === 1);
    await consumer.stop();
    const spans = tracing.spans();
    const root = spanNamed(spans, 'checkout');
    const send = spanNamed(spans, 'send orders');
    const process = spanNamed(spans, 'process orders');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'orders',
    });
    expect(send.attributes['messaging.message.id']).toEqual(expect.any(String));
    expect(parentOf(send)).toBe(root.spanContext().spanId);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(parentOf(process)).toBe(send.spanContext().spanId);
    expect(process.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
    expect(process.attributes['messaging.message.id']).toBe(
      send.attributes['messaging.message.id'],
    );
    expect(inner).toEqual([process.spanContext().spanId]);
    // The consumer's receive that found the message is a CLIENT span linked to the send.
    const receive = spans.find((s) => s.name === 'receive orders');
    expect(receive?.kind).toBe(SpanKind.CLIENT);
    expect(receive?.links.map((l) => l.context.spanId)).toContain(send.spanContext().spanId);
  });

  it('a batch send is one span; each message carries it; a failed handler marks its span', async () => {
    await using ballast = await open();
    const queue = await ballast.queues.create('jobs');
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }]);
    const [m] = await queue.receive({ maxMessages: 10 });
    const send = spanNamed(tracing.spans(), 'send jobs');
    expect(send.attributes['messaging.batch.message_count']).toBe(2);
    // The stored AWSTraceHeader names the send span (X-Ray format).
    const id = send.spanContext().traceId;
    expect(m?.traceHeader).toBe(
      `Root=1-${id.slice(0, 8)}-${id.slice(8)};Parent=${send.spanContext().spanId};Sampled=1`,
    );
    await queue.changeVisibility(m!.receiptHandle, 0);
    tracing.reset();
    let calls = 0;
    const consumer = queue.consume(
      () => {
        calls++;
        throw new Error('boom');
      },
      { retry: { baseSeconds: 30, maxSeconds: 30 } },
    );
    try {
      await waitFor(() => tracing.spans().some((s) => s.name === 'process jobs'));
    } finally {
      await consumer.stop();
    }
    const failed = tracing.spans().filter((s) => s.name === 'process jobs');
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBe(calls);
    for (const s of failed) {
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.attributes['error.type']).toBe('Error');
      expect(s.spanContext().traceId).toBe(id);
    }
  });

  it("a sender's own AWSTraceHeader and a traceparent attribute win over the send span", async () => {
    await using ballast = await open();
    const queue = await ballast.queues.create('mixed');
    const xray = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const w3c = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await queue.send('x', { traceHeader: xray });
    await queue.send('w', {
      attributes: { traceparent: { dataType: 'String', stringValue: w3c } },
    });
    const seen: Record<string, string> = {};
    const consumer = queue.consume((m) => {
      seen[m.body] = trace.getActiveSpan()?.spanContext().traceId ?? '';
    });
    await waitFor(() => Object.keys(seen).length === 2);
    await consumer.stop();
    expect(seen).toEqual({
      x: '5759e988bd862e3fe1be46a994272793',
      w: '0af7651916cd43dd8448eb211c80319c',
    });
    const received = await queue.receive({ waitTimeSeconds: 0 });
    expect(received).toEqual([]);
    // A caller's own empty receive is still a span.
    expect(tracing.spans().some((s) => s.name === 'receive mixed')).toBe(true);
  });
}

describe('queue tracing on SQLite', () => traceSuite(() => openTestBallast()));

describePg('queue tracing on PostgreSQL', () =>
  traceSuite(() =>
    openBallast({ store: `${PG_URL}?schema=${freshSchema()}`, retentionSweepMs: 0 }),
  ),
);

describe('without an SDK', () => {
  it('nothing is traced or stamped on messages', async () => {
    await tracing.close();
    try {
      await using ballast = await openTestBallast();
      const queue = await ballast.queues.create('plain');
      await queue.send('p');
      const [m] = await queue.receive();
      expect(m?.traceHeader).toBeUndefined();
      expect(tracing.spans()).toEqual([]);
    } finally {
      tracing = installTracing();
    }
  });
});
