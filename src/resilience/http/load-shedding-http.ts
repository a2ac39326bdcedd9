import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import {
  type ConcurrencyLimiter,
  type LoadSheddingOptions,
  pathOf,
  resolveLoadShedding,
} from '../load-shedding.js';

/** A connect-style middleware, with its limiter (for metrics: `inFlight`, `admitted`, `shed`). */
export type LoadSheddingMiddleware = ((
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void) & { limiter: ConcurrencyLimiter };

/**
 * Connect-style load shedding (Express, or node:http via `(req, res) => mw(req, res, handler)`):
 * past `maxConcurrent` requests in flight, answers 503 with `Retry-After` at once, before any body
 * is read. Health checks pass uncounted. Put it first, before `deadlineMiddleware`.
 */
export function loadShedding(options: LoadSheddingOptions): LoadSheddingMiddleware {
  const { limiter, isExempt, refusal } = resolveLoadShedding(options);
  const mw = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (isExempt({ method: req.method ?? 'GET', path: pathOf(req.url) })) return next();
    if (!limiter.tryEnter())
      return void res.writeHead(refusal.status, refusal.headers).end(refusal.body);
    // A response emits 'close' exactly once: after it ends, or when the client goes away first. A
    // handler that throws ends in one of those too (Express's error handler answers 500).
    res.once('close', () => limiter.leave());
    next();
  };
  return Object.assign(mw, { limiter });
}

/** The same for Hono, with its limiter: `app.use(honoLoadShedding({ maxConcurrent: 100 }))` before other middleware. */
export function honoLoadShedding(
  options: LoadSheddingOptions,
): MiddlewareHandler & { limiter: ConcurrencyLimiter } {
  const { limiter, isExempt, refusal } = resolveLoadShedding(options);
  const mw: MiddlewareHandler = async (c, next) => {
    if (isExempt({ method: c.req.method, path: c.req.path })) return next();
    if (!limiter.tryEnter())
      return new Response(refusal.body, { status: refusal.status, headers: refusal.headers });
    // Hono knows nothing of the connection: a request is in flight until its handler has answered.
    try {
      await next();
    } finally {
      limiter.leave();
    }
  };
  return Object.assign(mw, { limiter });
}
