import type { Context } from 'hono';
import type { ServerEnv } from '../env.js';
import type { ServerMetrics } from '../metrics.js';

/** `GET /metrics`: the Prometheus text exposition of the server's own registry. */
export function metricsRoute(metrics: ServerMetrics): (c: Context<ServerEnv>) => Promise<Response> {
  return async (c) => {
    c.set('operation', 'metrics');
    const text = await metrics.scrape();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType });
  };
}
