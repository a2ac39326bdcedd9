import type { Sql } from '../../core/db.js';
import type { MessageRow } from '../rows.js';

/** A message that may be claimed, locked by this transaction. */
export interface Candidate {
  readonly position: number;
  readonly expiresAt: number;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly groupId: string | null;
}

const NOW = `WITH t AS MATERIALIZED (SELECT coalesce($2::bigint, ballast_now_ms()) AS now)`;

// Walks messages_dequeue (queue_id, visible_at, position) in dequeue order; `(SELECT now FROM t)`
// is an InitPlan, i.e. a constant for the scan, so the range condition uses the index and the
// ORDER BY needs no sort. SKIP LOCKED: concurrent receivers take different messages, never wait.
const STANDARD = `${NOW}
SELECT (SELECT now FROM t) AS now, m.position, m.expires_at, m.receive_count, m.sent_at, m.group_id FROM messages m
WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
ORDER BY m.visible_at, m.position LIMIT $3
FOR UPDATE OF m SKIP LOCKED`;

// Walks messages_order (queue_id, position). A message is receivable when no earlier message of
// its group is hidden (delayed or in flight) and no later one of its group is in flight (that
// one was committed first and received already). The gate is the SQLite driver's, split into
// two probes so each is an index range instead of a scan of the whole group: earlier messages
// through messages_group (position < m.position), in-flight ones through messages_received.
const FIFO = `${NOW}
SELECT (SELECT now FROM t) AS now, m.position, m.expires_at, m.receive_count, m.sent_at, m.group_id FROM messages m
WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
  AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.queue_id = m.queue_id AND p.group_id = m.group_id
    AND p.position < m.position AND p.visible_at > (SELECT now FROM t))
  AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.queue_id = m.queue_id AND p.group_id = m.group_id
    AND p.receive_count > 0 AND p.visible_at > (SELECT now FROM t))
ORDER BY m.position LIMIT $3
FOR UPDATE OF m SKIP LOCKED`;

/**
 * Locks up to `limit` receivable messages in dequeue order (standard or FIFO). Returns them
 * with the `now` used (null when none were found and `nowParam` was null).
 */
export async function selectCandidates(
  sql: Sql,
  queueId: number,
  fifo: boolean,
  nowParam: number | null,
  limit: number,
): Promise<{ now: number | null; candidates: Candidate[] }> {
  const { rows } = await sql.query<{
    now: number;
    position: number;
    expires_at: number;
    receive_count: number;
    sent_at: number;
    group_id: string | null;
  }>(fifo ? FIFO : STANDARD, [queueId, nowParam, limit]);
  return {
    now: rows[0]?.now ?? nowParam,
    candidates: rows.map((r) => ({
      position: r.position,
      expiresAt: r.expires_at,
      receiveCount: r.receive_count,
      sentAt: r.sent_at,
      groupId: r.group_id,
    })),
  };
}

/**
 * Serializes FIFO claims of one queue across nodes (transaction-level advisory lock, released at
 * commit). Row locks alone cannot keep a group to one consumer: two receivers each see the
 * other's claim uncommitted, SKIP LOCKED past each other's rows and would both pass the group
 * gate with different messages of one group. Under this lock every claim's statements start
 * after the previous claim committed, so the gate sees it. Standard queues take no such lock.
 */
export async function lockFifoQueue(sql: Sql, lockClass: number, queueId: number): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock($1::int, ($2::bigint % 2147483647)::int)', [
    lockClass,
    queueId,
  ]);
}

/** Claims locked candidates: new visibility, receive count + 1, one fresh receipt token each. */
export async function claimMessages(
  sql: Sql,
  now: number,
  visibilityMs: number,
  positions: readonly number[],
  tokens: readonly string[],
): Promise<MessageRow[]> {
  const { rows } = await sql.query<MessageRow>(
    `UPDATE messages m SET visible_at = $1::bigint + $2::bigint, receive_count = m.receive_count + 1,
       first_received_at = coalesce(m.first_received_at, $1::bigint), received_at = $1::bigint, receipt = u.token
     FROM unnest($3::bigint[], $4::text[]) AS u(position, token)
     WHERE m.position = u.position
     RETURNING m.*`,
    [now, visibilityMs, positions, tokens],
  );
  return rows;
}

/** Deletes locked candidates found past retention. */
export async function deleteExpired(sql: Sql, positions: readonly number[]): Promise<void> {
  await sql.query('DELETE FROM messages WHERE position = ANY($1::bigint[])', [positions]);
}

/**
 * Moves locked candidates to a dead-letter queue: new positions (in the given order, so a FIFO
 * DLQ keeps their order), receive count 0, `dlq_source_arn` set; NOTIFYs the DLQ at commit.
 */
export async function moveToDeadLetter(
  sql: Sql,
  channel: string,
  now: number,
  positions: readonly number[],
  dl: { queueId: number; sourceArn: string; resetSentAt: boolean; retentionMs: number },
): Promise<void> {
  await sql.query(
    `WITH moved AS (
       UPDATE messages m SET position = n.new_position, queue_id = $2, visible_at = $3::bigint, receive_count = 0,
         first_received_at = NULL, received_at = NULL, receipt = NULL, dlq_source_arn = $4,
         sent_at = CASE WHEN $5::boolean THEN $3::bigint ELSE m.sent_at END,
         expires_at = CASE WHEN $5::boolean THEN $3::bigint ELSE m.sent_at END + $6::bigint
       FROM (SELECT u.p, nextval('message_positions') AS new_position
             FROM unnest($1::bigint[]) WITH ORDINALITY AS u(p, ord) ORDER BY u.ord) n
       WHERE m.position = n.p
       RETURNING 1)
     SELECT pg_notify($7, $2::text) FROM (SELECT count(*) FROM moved) c`,
    [positions, dl.queueId, now, dl.sourceArn, dl.resetSentAt, dl.retentionMs, channel],
  );
}

// The common case in ONE statement (one round trip, its own implicit transaction): lock
// candidates in dequeue order, claim those neither expired nor past the receive limit, and
// report how many candidates there were, so the caller knows whether any need the slow path.
// Tokens come from gen_random_uuid() (pg_strong_random), 32 hex characters.
const FAST_CLAIM = `${NOW},
c AS (
  SELECT m.position, m.expires_at, m.receive_count, m.group_id FROM messages m
  WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
  ORDER BY m.visible_at, m.position LIMIT $3
  FOR UPDATE OF m SKIP LOCKED),
u AS (
  UPDATE messages m SET visible_at = (SELECT now FROM t) + $4::bigint, receive_count = m.receive_count + 1,
    first_received_at = coalesce(m.first_received_at, (SELECT now FROM t)), received_at = (SELECT now FROM t),
    receipt = replace(gen_random_uuid()::text, '-', '')
  FROM c WHERE m.position = c.position AND c.expires_at > (SELECT now FROM t) AND c.receive_count < $5::bigint
    -- Tenants (group ids) make it a fair queue: the full path picks across them.
    AND NOT EXISTS (SELECT 1 FROM c WHERE c.group_id IS NOT NULL)
  RETURNING m.*)
SELECT u.*, k.candidates FROM (SELECT count(*) AS candidates FROM c) k LEFT JOIN u ON true
ORDER BY u.visible_at, u.position`;

/**
 * Standard queues: claims up to `limit` messages in one statement. `skipped` counts candidates
 * it left alone (expired, due for the dead-letter queue, or all of them when any has a group
 * id): the caller then takes the full path.
 */
export async function claimFast(
  sql: Sql,
  queueId: number,
  nowParam: number | null,
  limit: number,
  visibilityMs: number,
  maxReceiveCount: number | null,
): Promise<{ rows: MessageRow[]; skipped: number }> {
  const { rows } = await sql.query<MessageRow & { candidates: number }>(FAST_CLAIM, [
    queueId,
    nowParam,
    limit,
    visibilityMs,
    maxReceiveCount ?? Number.MAX_SAFE_INTEGER,
  ]);
  const claimed = rows.filter((r) => r.position !== null);
  return { rows: claimed, skipped: (rows[0]?.candidates ?? 0) - claimed.length };
}

// Fair queues: candidates from both ends of the backlog (the oldest, and the newest where a
// quiet tenant's message waits behind a noisy one's backlog), locked for this transaction.
const FAIR = `${NOW},
o AS (SELECT m.position FROM messages m WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
  ORDER BY m.visible_at, m.position LIMIT $3),
n AS (SELECT m.position FROM messages m WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
  ORDER BY m.visible_at DESC, m.position DESC LIMIT $3)
SELECT (SELECT now FROM t) AS now, m.position, m.expires_at, m.receive_count, m.sent_at, m.group_id FROM messages m
WHERE m.position IN (SELECT position FROM o UNION SELECT position FROM n) AND m.visible_at <= (SELECT now FROM t)
ORDER BY m.visible_at, m.position
FOR UPDATE OF m SKIP LOCKED`;

const IN_FLIGHT_BY_GROUP = `SELECT group_id, count(*) AS n FROM messages
  WHERE queue_id = $1 AND group_id = ANY($2::text[]) AND receive_count > 0 AND visible_at > $3::bigint
  GROUP BY group_id`;

/** Locks fair-queue candidates (`window` from each end) and reads their tenants' in-flight counts. */
export async function selectFairCandidates(
  sql: Sql,
  queueId: number,
  now: number,
  window: number,
): Promise<{ candidates: Candidate[]; inFlight: Map<string | null, number> }> {
  const { rows } = await sql.query<{
    position: number;
    expires_at: number;
    receive_count: number;
    sent_at: number;
    group_id: string | null;
  }>(FAIR, [queueId, now, window]);
  const candidates = rows.map((r) => ({
    position: r.position,
    expiresAt: r.expires_at,
    receiveCount: r.receive_count,
    sentAt: r.sent_at,
    groupId: r.group_id,
  }));
  const groups = [
    ...new Set(candidates.map((c) => c.groupId).filter((g): g is string => g !== null)),
  ];
  const counts = await sql.query<{ group_id: string; n: number }>(IN_FLIGHT_BY_GROUP, [
    queueId,
    groups,
    now,
  ]);
  return { candidates, inFlight: new Map(counts.rows.map((c) => [c.group_id, c.n])) };
}
