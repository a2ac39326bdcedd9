import type { QueueStats } from '../../contract.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';

/** Approximate counts, read from the dequeue index (no write transaction). */
export function stats(ctx: SqliteContext, queueId: number): QueueStats {
  const now = ctx.now();
  const { db } = ctx;
  const visible = stmt(
    db,
    'SELECT count(*) AS n FROM messages WHERE queue_id = ? AND visible_at <= ?',
  ).get(queueId, now) as {
    n: number;
  };
  const hidden = stmt(
    db,
    `SELECT coalesce(sum(receive_count = 0), 0) AS delayed, coalesce(sum(receive_count > 0), 0) AS inflight
     FROM messages WHERE queue_id = ? AND visible_at > ?`,
  ).get(queueId, now) as { delayed: number; inflight: number };
  const oldest = stmt(
    db,
    'SELECT sent_at FROM messages WHERE queue_id = ? ORDER BY position LIMIT 1',
  ).get(queueId) as { sent_at: number } | undefined;
  return {
    visible: visible.n,
    delayed: hidden.delayed,
    inFlight: hidden.inflight,
    oldestSentAt: oldest?.sent_at ?? null,
  };
}

/** When the next hidden message becomes visible (epoch ms), or null. */
export function nextVisibleAt(ctx: SqliteContext, queueId: number): number | null {
  const row = stmt(
    ctx.db,
    'SELECT min(visible_at) AS at FROM messages WHERE queue_id = ? AND visible_at > ?',
  ).get(queueId, ctx.now()) as { at: number | null };
  return row.at;
}

/** Removes messages past retention, expired deduplication ids and receive attempts. */
export function removeExpired(ctx: SqliteContext, limit: number): Promise<number> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const r = stmt(
      ctx.db,
      'DELETE FROM messages WHERE position IN (SELECT position FROM messages WHERE expires_at <= ? LIMIT ?)',
    ).run(now, limit);
    stmt(ctx.db, 'DELETE FROM dedup WHERE expires_at <= ?').run(now);
    // Attempts are replayable only inside the deduplication window (minutes); an hour is ample.
    stmt(ctx.db, 'DELETE FROM receive_attempts WHERE created_at <= ?').run(now - 3_600_000);
    return r.changes;
  });
}
