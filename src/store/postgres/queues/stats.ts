import type { QueueStats } from '../../contract.js';
import type { PgBase } from '../core/context.js';

const NOW = 'WITH t AS MATERIALIZED (SELECT coalesce($2::bigint, ballast_now_ms()) AS now)';

/** Approximate counts, read from the dequeue index (no write transaction). */
export async function stats(ctx: PgBase, queueId: number): Promise<QueueStats> {
  const rows = await ctx.db.read<{
    visible: number;
    delayed: number;
    in_flight: number;
    oldest: number | null;
  }>(
    `${NOW}
     SELECT count(*) FILTER (WHERE visible_at <= (SELECT now FROM t)) AS visible,
       count(*) FILTER (WHERE visible_at > (SELECT now FROM t) AND receive_count = 0) AS delayed,
       count(*) FILTER (WHERE visible_at > (SELECT now FROM t) AND receive_count > 0) AS in_flight,
       (SELECT sent_at FROM messages WHERE queue_id = $1 ORDER BY position LIMIT 1) AS oldest
     FROM messages WHERE queue_id = $1`,
    [queueId, ctx.nowParam()],
    'stats',
  );
  const row = rows[0]!;
  return {
    visible: row.visible,
    delayed: row.delayed,
    inFlight: row.in_flight,
    oldestSentAt: row.oldest,
  };
}

/** When the next hidden message becomes visible (epoch ms), or null. */
export async function nextVisibleAt(ctx: PgBase, queueId: number): Promise<number | null> {
  const rows = await ctx.db.read<{ at: number | null }>(
    `${NOW}
     SELECT min(visible_at) AS at FROM messages WHERE queue_id = $1 AND visible_at > (SELECT now FROM t)`,
    [queueId, ctx.nowParam()],
    'nextVisibleAt',
  );
  return rows[0]?.at ?? null;
}

/** Attempts are replayable only inside the deduplication window (minutes); an hour is ample. */
const ATTEMPT_LIFE_MS = 3_600_000;

/** Removes up to `limit` messages past retention, expired deduplication ids and old receive attempts. */
export function removeExpired(ctx: PgBase, limit: number): Promise<number> {
  return ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<{ n: number; now: number }>(
      `WITH t AS MATERIALIZED (SELECT coalesce($1::bigint, ballast_now_ms()) AS now),
       gone AS (DELETE FROM messages WHERE position IN (
         SELECT position FROM messages WHERE expires_at <= (SELECT now FROM t) LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT (SELECT count(*) FROM gone) AS n, (SELECT now FROM t) AS now`,
      [ctx.nowParam(), limit],
    );
    const { n, now } = rows[0]!;
    await sql.query('DELETE FROM dedup WHERE expires_at <= $1', [now]);
    await sql.query('DELETE FROM receive_attempts WHERE created_at <= $1', [now - ATTEMPT_LIFE_MS]);
    return n;
  }, 'removeExpired');
}
