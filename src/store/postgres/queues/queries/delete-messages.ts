import type { Sql } from '../../core/db.js';

/** One receipt handle to delete, with its queue. */
export interface HandleRef {
  readonly queueId: number;
  readonly position: number;
  readonly token: string;
}

/** Key of a deleted handle. */
export const handleKey = (position: number, token: string): string => `${position}\u0000${token}`;

// One statement for the whole batch. Only the newest token matches, so an old handle never
// touches a re-received message. Rows are joined in position order, so two batches that
// share messages lock them in the same order.
const DELETE = `DELETE FROM messages m
  USING (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(queue_id, position, receipt) ORDER BY u.position) r
  WHERE m.position = r.position AND m.queue_id = r.queue_id AND m.receipt = r.receipt
  RETURNING m.position, m.receipt`;

/** Deletes every matching handle; returns the keys (see `handleKey`) of those deleted. */
export async function deleteByHandles(sql: Sql, refs: readonly HandleRef[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ position: number; receipt: string }>(DELETE, [
    refs.map((r) => r.queueId),
    refs.map((r) => r.position),
    refs.map((r) => r.token),
  ]);
  return new Set(rows.map((r) => handleKey(Number(r.position), r.receipt)));
}
