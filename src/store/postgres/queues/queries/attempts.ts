import type { Sql } from '../../core/db.js';
import { inPositionOrder, type MessageRow } from '../rows.js';

/** A stored FIFO receive attempt: what one ReceiveRequestAttemptId returned. */
export interface StoredAttempt {
  readonly createdAt: number;
  /** [position, receipt token] in the order the receive returned them. */
  readonly claims: readonly (readonly [number, string])[];
}

/** Reads `now` and the attempt (if stored). */
export async function readAttempt(
  sql: Sql,
  queueId: number,
  attemptId: string,
  nowParam: number | null,
): Promise<{ now: number; attempt: StoredAttempt | undefined }> {
  const { rows } = await sql.query<{
    now: number;
    created_at: number | null;
    claims: [number, string][] | null;
  }>(
    `WITH t AS MATERIALIZED (SELECT coalesce($3::bigint, ballast_now_ms()) AS now)
     SELECT t.now, a.created_at, a.claims FROM t
     LEFT JOIN receive_attempts a ON a.queue_id = $1 AND a.attempt_id = $2`,
    [queueId, attemptId, nowParam],
  );
  const row = rows[0]!;
  return {
    now: row.now,
    attempt:
      row.created_at === null || row.claims === null
        ? undefined
        : { createdAt: row.created_at, claims: row.claims },
  };
}

/**
 * Returns the attempt's messages again with their tokens and a fresh visibility, or undefined
 * when any of them was deleted, received again or dead-lettered since (then a new claim runs).
 */
export async function replayAttempt(
  sql: Sql,
  queueId: number,
  attempt: StoredAttempt,
  now: number,
  visibilityMs: number,
): Promise<MessageRow[] | undefined> {
  const positions = attempt.claims.map(([position]) => position);
  const { rows } = await sql.query<{
    position: number;
    receipt: string | null;
    received_at: number | null;
  }>(
    'SELECT position, receipt, received_at FROM messages WHERE queue_id = $1 AND position = ANY($2::bigint[]) FOR UPDATE',
    [queueId, positions],
  );
  const current = new Map(rows.map((r) => [r.position, r]));
  for (const [position, token] of attempt.claims) {
    const m = current.get(position);
    if (!m || m.receipt !== token || m.received_at === null) return undefined;
  }
  const reset = await sql.query<MessageRow>(
    'UPDATE messages SET visible_at = $1::bigint + $2::bigint WHERE position = ANY($3::bigint[]) RETURNING *',
    [now, visibilityMs, positions],
  );
  return inPositionOrder(reset.rows, positions);
}

/** Records (or replaces) the attempt's claims. */
export async function saveAttempt(
  sql: Sql,
  queueId: number,
  attemptId: string,
  now: number,
  claims: readonly (readonly [number, string])[],
): Promise<void> {
  await sql.query(
    `INSERT INTO receive_attempts (queue_id, attempt_id, created_at, claims) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (queue_id, attempt_id) DO UPDATE SET created_at = excluded.created_at, claims = excluded.claims`,
    [queueId, attemptId, now, JSON.stringify(claims)],
  );
}

/**
 * A visibility change ends the replay of every receive attempt that returned one of these
 * messages (SQS replays an attempt only while none of its messages was deleted or changed).
 */
export async function forgetAttempts(
  sql: Sql,
  queueId: number,
  positions: readonly number[],
): Promise<void> {
  await sql.query(
    `DELETE FROM receive_attempts a WHERE a.queue_id = $1
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(a.claims) c WHERE (c->>0)::bigint = ANY($2::bigint[]))`,
    [queueId, positions],
  );
}
