import type { MoveTaskRecord, QueueRecord, StoredMessage } from '../../contract.js';
import { type MessageColumns, messageFromRow } from '../../shared/message-row.js';
import type { QueueSettings } from '../../queue-settings.js';

/**
 * Rows as the store's pool returns them: int8 columns arrive as numbers (see `BALLAST_TYPES`),
 * jsonb as parsed values. Mappers still apply `Number()` to int8 columns so that rows read
 * through a caller's own client (default `pg` parsers: int8 as string) map the same way.
 */
type Int8 = number | string;

/** A `queues` row. */
export interface QueueRow {
  id: Int8;
  name: string;
  settings: QueueSettings;
  tags: Record<string, string>;
  created_at: Int8;
  modified_at: Int8;
  purged_at: Int8 | null;
}

/** A `messages` row. */
export type MessageRow = MessageColumns<Int8>;

const num = (value: Int8): number => Number(value);
const numOrNull = (value: Int8 | null): number | null => (value === null ? null : Number(value));

/** Maps a queue row to the contract's record. */
export function toQueueRecord(row: QueueRow): QueueRecord {
  return {
    id: num(row.id),
    name: row.name,
    settings: row.settings,
    tags: row.tags,
    createdAt: num(row.created_at),
    modifiedAt: num(row.modified_at),
    purgedAt: numOrNull(row.purged_at),
  };
}

/** Maps a claimed message row (receipt set) to the contract's message. */
export const toStoredMessage = (row: MessageRow): StoredMessage => messageFromRow(row, num);

/** Parses a stored move task. */
export const toMoveTask = (row: { record: MoveTaskRecord }): MoveTaskRecord => row.record;

/** Orders rows by a list of positions (RETURNING gives no order). */
export function inPositionOrder<R extends { position: Int8 }>(
  rows: readonly R[],
  positions: readonly number[],
): R[] {
  const byPosition = new Map(rows.map((r) => [num(r.position), r]));
  return positions.flatMap((p) => {
    const row = byPosition.get(p);
    return row ? [row] : [];
  });
}
