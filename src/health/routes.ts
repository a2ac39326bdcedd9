import { Hono } from 'hono';
import { type Clock, systemClock } from '../core/clock.js';
import { snapshotToJson } from './snapshot.js';
import type { HealthLayout, Snapshot } from './types.js';

/** What the routes serve: the latest snapshot and its layout, and the publisher's own liveness. */
export interface SnapshotSource {
  readonly last: { bytes: Buffer; snapshot: Snapshot } | undefined;
  readonly layout: HealthLayout;
  /** The monitor's interval, ms (a snapshot older than 3 intervals makes `/v1/health/status` answer 503). */
  readonly intervalMs: number;
  /** The last config edit that was refused, if any. */
  readonly configError?: string | undefined;
  /** Why each endpoint's latest failed probe failed, in `layout` order (a monitor has them; an aggregate does not). */
  readonly lastErrors?: readonly (string | undefined)[];
}

/**
 * `GET /v1/health/snapshot` (the binary snapshot, `application/vnd.ballast.health-snapshot`),
 * `GET /v1/health/snapshot.json` (a view for humans, with endpoint ids), `GET /v1/health/layout`
 * (the ids of the snapshot's slots), `GET /v1/health/status` (the monitor's own liveness).
 * Before the first tick the snapshot routes answer 503 with `Retry-After`.
 */
export function healthRoutes(source: () => SnapshotSource, clock: Clock = systemClock): Hono {
  const app = new Hono();
  const notYet = () =>
    new Response(
      JSON.stringify({
        message: 'no snapshot yet: the first one is published after the first interval',
      }),
      {
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
      },
    );
  app.get('/v1/health/snapshot', () => {
    const s = source();
    if (!s.last) return notYet();
    return new Response(new Uint8Array(s.last.bytes), {
      headers: {
        'content-type': 'application/vnd.ballast.health-snapshot',
        'cache-control': 'no-store',
        'x-ballast-layout-version': String(s.last.snapshot.layoutVersion),
        'x-ballast-sequence': `${s.last.snapshot.epoch}.${s.last.snapshot.sequence}`,
      },
    });
  });
  app.get('/v1/health/snapshot.json', (c) => {
    const s = source();
    if (!s.last) return notYet();
    const layout = s.layout.version === s.last.snapshot.layoutVersion ? s.layout : undefined;
    return c.json(snapshotToJson(s.last.snapshot, layout, s.lastErrors), 200, {
      'cache-control': 'no-store',
    });
  });
  app.get('/v1/health/layout', (c) =>
    c.json(source().layout, 200, { 'cache-control': 'no-store' }),
  );
  app.get('/v1/health/status', (c) => {
    const s = source();
    const age = s.last ? clock.now() - s.last.snapshot.timeMs : undefined;
    const live = age !== undefined && age <= 3 * s.intervalMs;
    return c.json(
      {
        status: live ? 'ok' : 'stale',
        snapshotAgeMs: age ?? null,
        sequence: s.last?.snapshot.sequence ?? null,
        endpoints: s.layout.ids.length,
        configError: s.configError ?? null,
      },
      live ? 200 : 503,
    );
  });
  return app;
}
