import { type Attributes, type Span, SpanKind, context } from '@opentelemetry/api';
import {
  ATTR,
  NO_SPAN,
  QUEUE_SYSTEM,
  type TraceCarrier,
  activeTraceHeader,
  contextFrom,
  inSpan,
  linksOf,
  recordFailure,
  tracer,
  tracingActive,
} from '../core/telemetry/tracing.js';
import type { NewMessage } from '../store/contract.js';
import type { ReceivedMessage } from './types.js';

/** Attributes every queue span carries. */
const base = (queue: string, operation: 'send' | 'receive' | 'process'): Attributes => ({
  [ATTR.messagingSystem]: QUEUE_SYSTEM,
  [ATTR.operationType]: operation,
  [ATTR.operationName]: operation,
  [ATTR.destination]: queue,
});

/**
 * Runs a send of `count` messages to `queue` in a PRODUCER span (`send <queue>`). Inside it,
 * `withTraceContext` stamps the messages with the span so their consumers join the trace.
 */
export function sendSpan<T>(
  queue: string,
  count: number,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingActive()) return fn(NO_SPAN);
  const attributes = base(queue, 'send');
  if (count > 1) attributes[ATTR.batchCount] = count;
  return inSpan(`send ${queue}`, { kind: SpanKind.PRODUCER, attributes }, fn);
}

/**
 * The messages with the active span's context in `traceHeader` (SQS's `AWSTraceHeader`, X-Ray
 * format), where the sender set none; the same array when nothing is traced.
 */
export function withTraceContext(messages: readonly NewMessage[]): readonly NewMessage[] {
  const header = activeTraceHeader();
  if (header === undefined) return messages;
  return messages.map((m) => (m.traceHeader === null ? { ...m, traceHeader: header } : m));
}

/** The trace context a received message carries: a `traceparent` message attribute, else `AWSTraceHeader`. */
export function carrierOf(m: ReceivedMessage): TraceCarrier {
  const attr = m.messageAttributes.traceparent;
  return {
    traceparent: attr?.dataType.startsWith('String') ? attr.stringValue : undefined,
    traceHeader: m.traceHeader,
  };
}

/**
 * Records a receive that returned `messages` as a CLIENT span (`receive <queue>`) from `startedAt`
 * (epoch ms), linked to each message's producer. Polls that found nothing and were not asked
 * for by the caller (a consumer's idle long polls) are not recorded: they would bury the rest.
 */
export function recordReceive(
  queue: string,
  startedAt: number,
  outcome: { messages: readonly ReceivedMessage[] } | { error: unknown },
  always: boolean,
): void {
  if (!tracingActive()) return;
  const messages = 'messages' in outcome ? outcome.messages : [];
  if (!always && messages.length === 0) return;
  const span = tracer().startSpan(`receive ${queue}`, {
    kind: SpanKind.CLIENT,
    startTime: startedAt,
    attributes: { ...base(queue, 'receive'), [ATTR.batchCount]: messages.length },
    links: linksOf(messages.map(carrierOf)),
  });
  if ('error' in outcome) recordFailure(span, outcome.error);
  span.end();
}

/**
 * Runs a consumer's handler for one message in a CONSUMER span (`process <queue>`) whose parent is
 * the message's producer span (one trace from send to handler) and which links to it too.
 */
export function processSpan<T>(
  queue: string,
  m: ReceivedMessage,
  fn: () => Promise<T>,
): Promise<T> {
  const carrier = carrierOf(m);
  if (!tracingActive()) {
    // No SDK, no span; an upstream trace context still passes through to what the handler sends,
    // as the no-op tracer's stub span would have carried it.
    if (!carrier.traceparent && !carrier.traceHeader) return fn();
    return context.with(contextFrom(carrier, context.active()), fn);
  }
  const parent = contextFrom(carrier, context.active());
  return inSpan(
    `process ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...base(queue, 'process'), [ATTR.messageId]: m.messageId },
      links: linksOf([carrier]),
    },
    fn,
    parent,
  );
}
