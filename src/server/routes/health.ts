import type { Context } from 'hono';
import type { Ballast } from '../../ballast.js';
import type { ServerEnv } from '../env.js';

/** How long `/healthz` waits for the store before answering 503, ms. */
const PING_TIMEOUT_MS = 2_000;

/** `GET /healthz`: 200 `{"status":"ok"}` when the store answers a ping in time, else 503. */
export function healthRoute(ballast: Ballast): (c: Context<ServerEnv>) => Promise<Response> {
  return async (c) => {
    c.set('operation', 'healthz');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('store ping timed out')), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([ballast.store.ping(), timeout]);
      return c.json({ status: 'ok' }, 200);
    } catch {
      return c.json({ status: 'unavailable' }, 503);
    } finally {
      clearTimeout(timer);
    }
  };
}
