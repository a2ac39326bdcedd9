import {
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ProxyTracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  formatTraceparent,
  formatXRayHeader,
  parseTraceparent,
  parseXRayHeader,
} from './trace-headers.js';

/** Name of the tracer Ballast's spans come from (`instrumentation scope`). */
export const TRACER_NAME = 'ballast';

let cached: { provider: TracerProvider; tracer: Tracer } | null = null;

// The API's no-op provider: a fresh proxy delegates to it until an SDK is registered.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** A span that records nothing, for callers that skip tracing while no SDK is registered. */
export const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * False while no OpenTelemetry SDK is registered: hot paths (every send, every handler run) then
 * skip building span names, attributes and links that the no-op tracer would throw away.
 */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate !== NOOP_PROVIDER;
}

/**
 * The tracer of the registered OpenTelemetry SDK, or the API's no-op tracer when none is: then
 * every span is a non-recording stub and nothing is propagated (no cost but a few calls).
 */
export function tracer(): Tracer {
  // The global provider is a proxy that is replaced when an SDK is disabled and another
  // registered (tests do so per file): cache per proxy, never for good.
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cached.tracer;
}

/** Attribute names of the OpenTelemetry messaging and RPC semantic conventions that Ballast sets. */
export const ATTR = {
  messagingSystem: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  rpcSystem: 'rpc.system',
  rpcService: 'rpc.service',
  rpcMethod: 'rpc.method',
  errorType: 'error.type',
} as const;

/** `messaging.system` of queue spans (the semantic conventions' value for SQS). */
export const QUEUE_SYSTEM = 'aws_sqs';
/** `messaging.system` of event-bus spans. */
export const BUS_SYSTEM = 'aws_eventbridge';

/** The trace context a message or event carries: a W3C `traceparent` and/or an X-Ray header. */
export interface TraceCarrier {
  readonly traceparent?: string | null | undefined;
  readonly traceHeader?: string | null | undefined;
}

/** The span context a carrier names (`traceparent` first, then the X-Ray header), or undefined. */
export function spanContextOf(carrier: TraceCarrier): SpanContext | undefined {
  const w3c = carrier.traceparent ? parseTraceparent(carrier.traceparent) : undefined;
  return w3c ?? (carrier.traceHeader ? parseXRayHeader(carrier.traceHeader) : undefined);
}

/** `base` with the carrier's span as the remote parent; `base` itself when the carrier names none. */
export function contextFrom(carrier: TraceCarrier, base: Context = context.active()): Context {
  const sc = spanContextOf(carrier);
  return sc ? trace.setSpanContext(base, sc) : base;
}

/** Links to the span contexts the carriers name (receive and batch spans link to each message's). */
export function linksOf(carriers: readonly TraceCarrier[]): Link[] {
  const links: Link[] = [];
  for (const c of carriers) {
    const sc = spanContextOf(c);
    if (sc) links.push({ context: sc });
  }
  return links;
}

/** The active span's context when it is valid (an SDK records it or a caller propagated it). */
function activeSpanContext(ctx: Context = context.active()): SpanContext | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? sc : undefined;
}

/** The X-Ray header (`AWSTraceHeader`) of the active span, or undefined when nothing is traced. */
export function activeTraceHeader(ctx?: Context): string | undefined {
  const sc = activeSpanContext(ctx);
  return sc ? formatXRayHeader(sc) : undefined;
}

/** The W3C `traceparent` of the active span, or undefined when nothing is traced. */
export function activeTraceparent(ctx?: Context): string | undefined {
  const sc = activeSpanContext(ctx);
  return sc ? formatTraceparent(sc) : undefined;
}

/** Marks a span failed with the error's code (a BallastError's `code`, else its name). */
export function recordFailure(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const code =
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : error instanceof Error
        ? error.name
        : 'Error';
  span.setAttribute(ATTR.errorType, code);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : code,
  });
}

/**
 * Runs `fn` in a new span made the active one (under `parent`, default the active context), ends
 * it when `fn` settles, and marks it failed when `fn` throws (the error is rethrown).
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T> | T,
  parent: Context = context.active(),
): Promise<T> {
  const span = tracer().startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}
