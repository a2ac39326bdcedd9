import type { MiddlewareHandler } from 'hono';
import { BallastError } from '../core/errors.js';
import {
  type ConcurrencyLimiter,
  type LoadSheddingOptions,
  resolveLoadShedding,
} from '../resilience/load-shedding.js';
import type { ServerEnv } from './env.js';
import { protocolFor } from './protocols/index.js';

/**
 * The server's load shedding (`maxConcurrentRequests`): past the limit a request is answered 503
 * with `Retry-After` before its body is read, in the error shape of the protocol it was sent in
 * (found as the protocol table routes it: SQS `RequestThrottled` with `x-amzn-query-error`,
 * EventBridge `ThrottlingException`), so every AWS SDK reads a code and retries with backoff.
 */
export function protocolShedding(
  options: LoadSheddingOptions,
): MiddlewareHandler<ServerEnv> & { limiter: ConcurrencyLimiter } {
  const { limiter, isExempt, refusal } = resolveLoadShedding(options);
  const mw: MiddlewareHandler<ServerEnv> = async (c, next) => {
    if (isExempt({ method: c.req.method, path: c.req.path })) return next();
    if (!limiter.tryEnter()) {
      const { errors } = protocolFor(c.req.raw.headers);
      const wire = errors.toWire(
        new BallastError(
          'RequestThrottled',
          `More than ${limiter.maxConcurrent} requests are in flight; this one was not started. Retry after ${refusal.headers['retry-after']} s.`,
        ),
      );
      const res = errors.response(wire, c.get('requestId'));
      res.headers.set('Retry-After', refusal.headers['retry-after']!);
      return res;
    }
    // A request is in flight until its handler has answered.
    try {
      await next();
    } finally {
      limiter.leave();
    }
  };
  return Object.assign(mw, { limiter });
}
