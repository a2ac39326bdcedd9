import {
  BUS_WAKE,
  type ClaimedDelivery,
  type DeliveryFilter,
  type DeliverySettlement,
} from '../../bus-contract.js';
import type { PgBase } from '../core/context.js';
import type { Sql } from '../core/db.js';
import { writeQueueSends } from './queue-sends.js';
import {
  attemptJson,
  type DeliveryRow,
  type EventRow,
  MAX_HISTORY,
  nowSql,
  toDelivery,
  toEvent,
} from './rows.js';

/** The filter's routes as SQL over `d.route`, its arrays bound to `$n`, `$n+1`, `$n+2`. */
const routeFilter = (n: number): string => `(d.route = ANY($${n}::text[])
    OR EXISTS (SELECT 1 FROM unnest($${n + 1}::text[]) AS p(prefix) WHERE left(d.route, length(p.prefix)) = p.prefix))
  AND d.route <> ALL($${n + 2}::text[])`;
const routeParams = (f: DeliveryFilter): string[][] => [
  [...f.routes],
  [...f.routePrefixes],
  [...f.excludeRoutes],
];

// One statement: walk deliveries_due in (due_at, id) order, lock due rows on the routes (SKIP
// LOCKED: workers on any node take disjoint rows), and lease them by moving due_at to the
// lease's end. A row leased by a commit after this statement began is rechecked once unlocked:
// its due_at is now in the future, so it is dropped. Tokens come from gen_random_uuid().
const CLAIM = `WITH t AS MATERIALIZED (SELECT ${nowSql(1)} AS now),
c AS (
  SELECT d.id, d.due_at FROM deliveries d
  WHERE d.state = 'pending' AND d.due_at <= (SELECT now FROM t) AND ${routeFilter(4)}
  ORDER BY d.due_at, d.id LIMIT $2
  FOR UPDATE OF d SKIP LOCKED),
u AS (
  UPDATE deliveries d SET due_at = (SELECT now FROM t) + $3::bigint, lease = replace(gen_random_uuid()::text, '-', '')
  FROM c WHERE d.id = c.id
  RETURNING d.*, c.due_at AS claimed_due)
SELECT u.*, to_jsonb(e) AS event FROM u JOIN events e ON e.position = u.event_position
ORDER BY u.claimed_due, u.id`;

/** Claims due pending deliveries on the filter's routes for `leaseMs`. */
export async function claimDeliveries(
  ctx: PgBase,
  filter: DeliveryFilter,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<DeliveryRow & { lease: string; event: EventRow }>(CLAIM, [
        ctx.nowParam(),
        limit,
        leaseMs,
        ...routeParams(filter),
      ]),
    'claimDeliveries',
  );
  return rows.map((r) => ({ ...toDelivery(r), lease: r.lease, event: toEvent(r.event) }));
}

// Conditional on the lease: a worker whose lease was lost (claimed again elsewhere) changes
// nothing. History keeps the newest MAX_HISTORY attempts. A retry NOTIFYs the workers.
const SETTLE = `WITH s AS (
  UPDATE deliveries SET state = $3, attempts = attempts + 1, due_at = coalesce($4::bigint, ${nowSql(5)}), lease = NULL,
    history = (CASE WHEN jsonb_array_length(history) >= ${MAX_HISTORY} THEN history - 0 ELSE history END)
      || jsonb_build_array($6::jsonb)
  WHERE id = $1 AND lease = $2 AND state = 'pending'
  RETURNING 1)
SELECT count(*) AS n, CASE WHEN $3 = 'pending' AND count(*) > 0 THEN pg_notify($7, $8::text) END FROM s`;

async function settle(
  ctx: PgBase,
  sql: Sql,
  id: number,
  lease: string,
  s: DeliverySettlement,
): Promise<boolean> {
  const { rows } = await sql.query<{ n: number }>(SETTLE, [
    id,
    lease,
    s.state,
    s.state === 'pending' ? s.retryAt : null,
    ctx.nowParam(),
    attemptJson(s.attempt),
    ctx.channel,
    BUS_WAKE.deliveries,
  ]);
  return rows[0]!.n > 0;
}

/** Settles a claimed delivery when its lease still holds; a dead-letter message commits with it. */
export async function settleDelivery(
  ctx: PgBase,
  id: number,
  lease: string,
  s: DeliverySettlement,
): Promise<boolean> {
  const deadLetter = s.state === 'failed' || s.state === 'dead-lettered' ? s.deadLetter : undefined;
  if (!deadLetter) {
    const settled = await ctx.db.write((sql) => settle(ctx, sql, id, lease, s), 'settleDelivery');
    if (settled && s.state === 'pending') ctx.wake.fire(BUS_WAKE.deliveries);
    return settled;
  }
  let woken: number[] = [];
  const settled = await ctx.db.tx(async (sql) => {
    woken = [];
    if (!(await settle(ctx, sql, id, lease, s))) return false;
    woken = await writeQueueSends(ctx, sql, [deadLetter]);
    return true;
  }, 'settleDelivery');
  for (const queueId of woken) ctx.wake.fire(queueId);
  return settled;
}

/** Epoch ms of the next pending delivery on the filter's routes (leased ones count at their lease's end). */
export async function nextDeliveryAt(ctx: PgBase, filter: DeliveryFilter): Promise<number | null> {
  const rows = await ctx.db.read<{ due: number | null }>(
    `SELECT min(d.due_at) AS due FROM deliveries d WHERE d.state = 'pending' AND ${routeFilter(1)}`,
    routeParams(filter),
    'nextDeliveryAt',
  );
  return rows[0]?.due ?? null;
}
