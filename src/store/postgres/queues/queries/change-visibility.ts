import type { Sql } from '../../core/db.js';

/** The visibility state of one message, locked by this transaction. */
export interface VisibilityState {
  visibleAt: number;
  receivedAt: number | null;
  receipt: string | null;
}

/** Reads `now` and locks the messages (by position) whose visibility may change. */
export async function lockForVisibility(
  sql: Sql,
  queueId: number,
  positions: readonly number[],
  nowParam: number | null,
): Promise<{ now: number | null; states: Map<number, VisibilityState> }> {
  const { rows } = await sql.query<{
    now: number;
    position: number;
    visible_at: number;
    received_at: number | null;
    receipt: string | null;
  }>(
    `WITH t AS MATERIALIZED (SELECT coalesce($3::bigint, ballast_now_ms()) AS now)
     SELECT (SELECT now FROM t) AS now, position, visible_at, received_at, receipt FROM messages
     WHERE queue_id = $1 AND position = ANY($2::bigint[]) ORDER BY position FOR UPDATE`,
    [queueId, positions, nowParam],
  );
  return {
    now: rows[0]?.now ?? nowParam,
    states: new Map(
      rows.map((r) => [
        r.position,
        { visibleAt: r.visible_at, receivedAt: r.received_at, receipt: r.receipt },
      ]),
    ),
  };
}

/** Sets new visibility deadlines; NOTIFYs `notifyQueueId` (when given) at commit. */
export async function setVisibility(
  sql: Sql,
  updates: ReadonlyMap<number, number>,
  channel: string,
  notifyQueueId: number | null,
): Promise<void> {
  await sql.query(
    `WITH upd AS (
       UPDATE messages m SET visible_at = u.visible_at
       FROM unnest($1::bigint[], $2::bigint[]) AS u(position, visible_at) WHERE m.position = u.position
       RETURNING 1)
     SELECT count(*), CASE WHEN $4::bigint IS NULL THEN NULL ELSE pg_notify($3, $4::text) END FROM upd`,
    [[...updates.keys()], [...updates.values()], channel, notifyQueueId],
  );
}
