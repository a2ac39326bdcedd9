import type { Context } from 'hono';
import type { Ballast } from '../../ballast.js';
import { isBallastError } from '../../core/errors.js';
import type { ServerEnv } from '../env.js';

/** How long `/healthz` waits for the store's ping, and for its write probe, before answering 503, ms. */
const PING_TIMEOUT_MS = 2_000;

/** What `/healthz` answers. */
export type HealthBody =
  | { readonly status: 'ok' }
  /** The store answers reads but writes fail (full disk, I/O error, read-only file or server). */
  | {
      readonly status: 'degraded';
      readonly reason: string;
      readonly code: string | null;
      readonly since: string;
    }
  /** The store does not answer at all. */
  | { readonly status: 'unavailable'; readonly reason: string };

/**
 * `GET /healthz`: 200 `{"status":"ok"}` when the store answers a ping in time and takes writes;
 * 503 `{"status":"unavailable","reason"}` when the ping fails; 503 `{"status":"degraded",
 * "reason","code","since"}` while writes fail. Degraded is a 503 on purpose: every send, put and
 * receive writes, so a load balancer should send this node nothing until it recovers.
 *
 * While writes fail, each check makes one tiny write probe (`Store.probeWrite`) first, so the
 * answer turns 200 as soon as space is back, with no traffic needed.
 */
export function healthRoute(ballast: Ballast): (c: Context<ServerEnv>) => Promise<Response> {
  return async (c) => {
    c.set('operation', 'healthz');
    const store = ballast.store;
    const ping = await settle(store.ping());
    if (ping !== null) return c.json<HealthBody>({ status: 'unavailable', reason: ping }, 503);
    if (!store.condition().writable) await settle(store.probeWrite());
    const condition = store.condition();
    if (condition.writable) return c.json<HealthBody>({ status: 'ok' }, 200);
    return c.json<HealthBody>(
      {
        status: 'degraded',
        reason: condition.reason ?? 'store writes fail',
        code: condition.code,
        since: new Date(condition.since).toISOString(),
      },
      503,
    );
  };
}

/** Waits for `work` at most PING_TIMEOUT_MS; null when it resolved, else why not. */
async function settle(work: Promise<void>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`the store did not answer within ${PING_TIMEOUT_MS} ms`),
      PING_TIMEOUT_MS,
    );
  });
  // A late rejection after the timeout must not go unhandled.
  const outcome = work.then(
    () => null,
    (error: unknown) => (isBallastError(error) ? error.message : 'the store failed'),
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
