import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Ballast } from '../ballast.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import type { ServerEnv } from './env.js';
import { wireBusEventLogs, wireQueueEventLogs } from './logging.js';
import { observeRequest } from './observe.js';
import { ServerMetrics } from './metrics.js';
import { opsGate } from './auth/ops-gate.js';
import { type AppOptions, resolveAppOptions } from './options.js';
import { PROTOCOLS, routeProtocols } from './protocols/index.js';
import { healthRoute } from './routes/health.js';
import { watchStore } from './store-watch.js';
import { healthRoutes } from '../health/routes.js';
import { metricsRoute } from './routes/metrics.js';
import { setMaxListeners } from 'node:events';
import { DEFAULT_EXEMPT_PATHS } from '../resilience/load-shedding.js';
import { protocolShedding } from './shedding.js';
import { registerLoadSheddingMetrics } from '../resilience/metrics.js';

/** The server's Hono app plus its lifecycle: `close()` ends long polls and detaches listeners. */
export type BallastApp = Hono<ServerEnv> & {
  /** Aborts in-flight long polls (they answer at once) and removes event listeners; idempotent. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * Builds the HTTP app (SQS JSON 1.0 and EventBridge JSON 1.1 on `POST /`, told apart by
 * `X-Amz-Target`; the SQS query protocol as form POSTs or GETs with `Action=`; `GET /healthz`, `GET /metrics` — gated when keys or a metrics token are set) without listening; serve it with
 * `startServer` or any Hono adapter. Call `close()` when done.
 */
export function createApp(ballast: Ballast, options: AppOptions = {}): BallastApp {
  const resolved = resolveAppOptions(options);
  const { logger } = resolved;
  const closing = new AbortController();
  // Every in-flight request listens on this signal (to end long polls on close): no listener cap.
  setMaxListeners(0, closing.signal);
  const metrics = new ServerMetrics(ballast);
  const unwireQueueLogs = wireQueueEventLogs(ballast.queues.events, logger);
  const unwireBusLogs = wireBusEventLogs(ballast.bus.events, logger);
  const app = new Hono<ServerEnv>();
  // Outage logs and, while writes fail, background write probes.
  const unwatchStore = watchStore(ballast.store, logger, resolved.storeProbeIntervalMs);

  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('operation', 'unknown');
    // Span, log lines and metrics of the request (observe.ts).
    await observeRequest(c, next, { logger, metrics });
    c.res.headers.set('x-amzn-RequestId', requestId);
  });
  if (resolved.maxConcurrentRequests !== null) {
    // After the request-id and metrics middleware (cheap), so shed requests show as 503s in the
    // metrics; before every route, so they cost no body parsing. /metrics stays exempt with the
    // health checks: overload must stay visible to whatever scales or alerts on it.
    const shedding = protocolShedding({
      maxConcurrent: resolved.maxConcurrentRequests,
      exempt: [...DEFAULT_EXEMPT_PATHS, '/metrics'],
    });
    registerLoadSheddingMetrics(metrics.registry, shedding.limiter);
    app.use('*', shedding);
  }

  app.get('/healthz', healthRoute(ballast));
  // Operator routes need credentials whenever the server has any (keys or a metrics token); the
  // same gate is meant for every operator route to come (the console).
  const gate = opsGate({
    credentials: resolved.credentials,
    token: resolved.metricsToken,
    maxClockSkewSeconds: resolved.maxClockSkewSeconds,
    now: () => ballast.clock.now(),
  });
  app.use('/metrics', gate);
  app.get('/metrics', metricsRoute(metrics));
  if (options.health) app.route('/', healthRoutes(options.health));
  // Each POST goes to its protocol by X-Amz-Target (or content type); unknown targets stay SQS's.
  // A GET naming an Action is an SQS query call; other GETs go on to the 404 below.
  app.on(
    ['POST', 'GET'],
    '*',
    routeProtocols({ ballast, options: resolved, closing: closing.signal }),
  );
  // Only other requests get here (every POST is a protocol call): a plain 404.
  app.notFound((c) =>
    c.json(
      {
        message: `No route for ${c.req.method} ${c.req.path}. SQS and EventBridge requests are POST / with X-Amz-Target; SQS query requests carry Action=<Operation>.`,
      },
      404,
    ),
  );
  // Errors outside the protocol handlers (they answer their own) take the default protocol's shape.
  const { errors } = PROTOCOLS[0]!;
  app.onError((error, c) => {
    const wire = errors.toWire(error);
    c.set('error', { wire, error });
    return errors.response(wire, c.get('requestId'));
  });

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      closing.abort();
      unwatchStore();
      metrics.close();
      unwireQueueLogs();
      unwireBusLogs();
      markClosed(app);
    })());
  markRunning(app, 'server app (createApp)');
  return Object.assign(app, { close, [Symbol.asyncDispose]: close });
}
