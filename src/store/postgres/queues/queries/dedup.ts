import type { Sql } from '../../core/db.js';

/** A FIFO deduplication id to claim for a message about to be stored. */
export interface DedupClaim {
  readonly queueId: number;
  /** '' for queue scope, else the message group. */
  readonly scope: string;
  readonly dedupId: string;
  readonly messageId: string;
  readonly position: number;
  readonly sentAt: number;
  readonly expiresAt: number;
}

/** The message a live deduplication id points at. */
export interface DedupOriginal {
  readonly messageId: string;
  readonly position: number;
  readonly sentAt: number;
}

/** Key of a deduplication id within one batch. */
export const dedupKey = (queueId: number, scope: string, dedupId: string): string =>
  `${queueId}\u0000${scope}\u0000${dedupId}`;

// INSERT … ON CONFLICT on the primary key: of concurrent sends of one id (any node), exactly one
// inserts; the others wait for its commit on the unique index, then see the conflict. An expired
// id is taken over (DO UPDATE … WHERE expired); a live one is left alone and not returned.
// Rows go in key order so two batches always lock ids in the same order (no deadlock).
const CLAIM = `INSERT INTO dedup (queue_id, scope, dedup_id, message_id, position, sent_at, expires_at)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
    AS u(queue_id, scope, dedup_id, message_id, position, sent_at, expires_at)
  ORDER BY u.queue_id, u.scope, u.dedup_id
  ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, position = excluded.position,
    sent_at = excluded.sent_at, expires_at = excluded.expires_at
  WHERE dedup.expires_at <= excluded.sent_at
  RETURNING queue_id, scope, dedup_id`;

const ORIGINALS = `SELECT d.queue_id, d.scope, d.dedup_id, d.message_id, d.position, d.sent_at FROM dedup d
  JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS u(queue_id, scope, dedup_id)
    ON d.queue_id = u.queue_id AND d.scope = u.scope AND d.dedup_id = u.dedup_id`;

/**
 * Claims each (distinct) deduplication id; returns the keys this transaction won. The others
 * are live duplicates: read them with {@link readOriginals}.
 */
export async function claimDedupIds(sql: Sql, claims: readonly DedupClaim[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ queue_id: number | string; scope: string; dedup_id: string }>(
    CLAIM,
    [
      claims.map((c) => c.queueId),
      claims.map((c) => c.scope),
      claims.map((c) => c.dedupId),
      claims.map((c) => c.messageId),
      claims.map((c) => c.position),
      claims.map((c) => c.sentAt),
      claims.map((c) => c.expiresAt),
    ],
  );
  return new Set(rows.map((r) => dedupKey(Number(r.queue_id), r.scope, r.dedup_id)));
}

/** The original messages of live deduplication ids, by key. */
export async function readOriginals(
  sql: Sql,
  keys: readonly { queueId: number; scope: string; dedupId: string }[],
): Promise<Map<string, DedupOriginal>> {
  const { rows } = await sql.query<{
    queue_id: number | string;
    scope: string;
    dedup_id: string;
    message_id: string;
    position: number | string;
    sent_at: number | string;
  }>(ORIGINALS, [keys.map((k) => k.queueId), keys.map((k) => k.scope), keys.map((k) => k.dedupId)]);
  return new Map(
    rows.map((r) => [
      dedupKey(Number(r.queue_id), r.scope, r.dedup_id),
      { messageId: r.message_id, position: Number(r.position), sentAt: Number(r.sent_at) },
    ]),
  );
}
