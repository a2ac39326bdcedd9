import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context as HonoContext, Next } from 'hono';
import { ATTR, contextFrom, tracer } from '../core/telemetry/tracing.js';
import type { ServerEnv } from './env.js';
import { logRequest } from './logging.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerLogger } from './options.js';
import { protocolFor } from './protocols/index.js';

/** `rpc.service` of a protocol by its SigV4 signing name (the AWS service it speaks). */
const SERVICES: Readonly<Record<string, string>> = { sqs: 'SQS', events: 'EventBridge' };

/**
 * Runs one request (`next`) and observes it: a SERVER span (`<service>/<operation>`, `rpc.system`
 * aws-api) under the caller's `traceparent` or `X-Amzn-Trace-Id` when it sends one, the request's
 * log lines and its metrics. The handlers run inside the span, so the library's spans nest in it.
 */
export async function observeRequest(
  c: HonoContext<ServerEnv>,
  next: Next,
  deps: { logger: ServerLogger; metrics: ServerMetrics },
): Promise<void> {
  const started = performance.now();
  const headers = c.req.raw.headers;
  const parent = contextFrom(
    { traceparent: headers.get('traceparent'), traceHeader: headers.get('x-amzn-trace-id') },
    context.active(),
  );
  const span = tracer().startSpan(
    `${c.req.method} ${c.req.path}`,
    { kind: SpanKind.SERVER },
    parent,
  );
  try {
    await context.with(trace.setSpan(parent, span), next);
  } finally {
    const requestId = c.get('requestId');
    const operation = c.get('operation');
    const status = c.res.status;
    const ms = performance.now() - started;
    const failure = c.get('error');
    if (span.isRecording()) {
      const post = c.req.method === 'POST';
      const service = post ? protocolFor(headers).signingName : undefined;
      const name = service === undefined ? undefined : (SERVICES[service] ?? service);
      if (name !== undefined) {
        span.updateName(`${name}/${operation}`);
        span.setAttributes({
          [ATTR.rpcSystem]: 'aws-api',
          [ATTR.rpcService]: name,
          [ATTR.rpcMethod]: operation,
        });
      }
      span.setAttributes({
        'http.request.method': c.req.method,
        'http.response.status_code': status,
        'aws.request_id': requestId,
      });
      const resource = c.get('resource');
      if (resource !== undefined) span.setAttribute('ballast.resource', resource);
      if (failure) span.setAttribute(ATTR.errorType, failure.wire.code);
      if (status >= 500)
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure?.wire.code });
    }
    span.end();
    logRequest(deps.logger, {
      requestId,
      operation,
      resource: c.get('resource'),
      status,
      ms,
      failure,
    });
    deps.metrics.observeRequest(operation, status, ms / 1000);
  }
}
