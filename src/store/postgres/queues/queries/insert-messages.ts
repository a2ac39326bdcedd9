import type { Sql } from '../../core/db.js';

/** One message row to insert; `attributes` already serialized. */
export interface MessageInsert {
  /** Pre-allocated position, or null to take the next one from `message_positions`. */
  readonly position: number | null;
  readonly queueId: number;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: string | null;
  readonly md5Body: string;
  readonly md5Attributes: string | null;
  readonly groupId: string | null;
  readonly dedupId: string | null;
  readonly traceHeader: string | null;
  readonly dlqSourceArn: string | null;
  /** Send time to keep, or null for now. */
  readonly sentAt: number | null;
  readonly delayMs: number;
  readonly retentionMs: number;
}

// One statement for any number of rows: column arrays unnested in request order. ORDER BY ord
// before nextval() (volatile target expressions are evaluated after the sort), so positions
// grow in request order. The NOTIFYs ride in the same statement and go out at commit.
const INSERT = `WITH t AS MATERIALIZED (SELECT coalesce($1::bigint, ballast_now_ms()) AS now),
ins AS (
  INSERT INTO messages (position, queue_id, message_id, body, attributes, md5_body, md5_attributes, group_id,
    dedup_id, trace_header, dlq_source_arn, sent_at, visible_at, expires_at)
  SELECT coalesce(u.position, nextval('message_positions')), u.queue_id, u.message_id, u.body, u.attributes,
    u.md5_body, u.md5_attributes, u.group_id, u.dedup_id, u.trace_header, u.dlq_source_arn,
    coalesce(u.sent_at, t.now), t.now + u.delay_ms, coalesce(u.sent_at, t.now) + u.retention_ms
  FROM t, unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::bigint[])
    WITH ORDINALITY AS u(position, queue_id, message_id, body, attributes, md5_body, md5_attributes, group_id,
      dedup_id, trace_header, dlq_source_arn, sent_at, delay_ms, retention_ms, ord)
  ORDER BY u.ord
  RETURNING position),
woken AS (SELECT count(pg_notify($16, q::text)) AS n FROM unnest($17::bigint[]) AS q)
SELECT ins.position, t.now FROM ins, t, woken`;

/**
 * Inserts `rows` in order with one multi-row INSERT and NOTIFYs each of `notifyQueues` on
 * `channel` (delivered when the surrounding transaction commits). Returns the rows' positions
 * in request order and the `now` used (epoch ms).
 */
export async function insertMessages(
  sql: Sql,
  nowParam: number | null,
  rows: readonly MessageInsert[],
  channel: string,
  notifyQueues: readonly number[],
): Promise<{ positions: number[]; now: number }> {
  const { rows: out } = await sql.query<{ position: number | string; now: number | string }>(
    INSERT,
    [
      nowParam,
      rows.map((r) => r.position),
      rows.map((r) => r.queueId),
      rows.map((r) => r.messageId),
      rows.map((r) => r.body),
      rows.map((r) => r.attributes),
      rows.map((r) => r.md5Body),
      rows.map((r) => r.md5Attributes),
      rows.map((r) => r.groupId),
      rows.map((r) => r.dedupId),
      rows.map((r) => r.traceHeader),
      rows.map((r) => r.dlqSourceArn),
      rows.map((r) => r.sentAt),
      rows.map((r) => r.delayMs),
      rows.map((r) => r.retentionMs),
      channel,
      notifyQueues,
    ],
  );
  // RETURNING has no defined order; positions grow with request order, so sorting restores it.
  const positions = out.map((r) => Number(r.position)).sort((a, b) => a - b);
  const explicit = rows.every((r) => r.position !== null);
  return {
    positions: explicit ? rows.map((r) => r.position!) : positions,
    now: Number(out[0]?.now ?? nowParam ?? 0),
  };
}

/**
 * Takes `count` positions from `message_positions` (ascending) and reads `now`, for a batch
 * that must know its positions before it writes (FIFO deduplication records them).
 */
export async function allocatePositions(
  sql: Sql,
  nowParam: number | null,
  count: number,
): Promise<{ positions: number[]; now: number }> {
  const { rows } = await sql.query<{ position: number | string; now: number | string }>(
    `WITH t AS MATERIALIZED (SELECT coalesce($1::bigint, ballast_now_ms()) AS now)
     SELECT nextval('message_positions') AS position, t.now FROM t, generate_series(1, $2::int)`,
    [nowParam, count],
  );
  return {
    positions: rows.map((r) => Number(r.position)).sort((a, b) => a - b),
    now: Number(rows[0]?.now ?? nowParam ?? 0),
  };
}
