import type { MoveTaskRecord, QueueRecord, StoredMessage } from '../../contract.js';
import { type MessageColumns, messageFromRow } from '../../shared/message-row.js';
import type { QueueSettings } from '../../queue-settings.js';

/** A `queues` row as SQLite returns it. */
export interface QueueRow {
  id: number;
  name: string;
  settings: string;
  tags: string;
  created_at: number;
  modified_at: number;
  purged_at: number | null;
  deleted_at: number | null;
}

/** A `messages` row as SQLite returns it. */
export type MessageRow = MessageColumns<number>;

/** Maps a queue row to the contract's record. */
export function toQueueRecord(row: QueueRow): QueueRecord {
  return {
    id: row.id,
    name: row.name,
    settings: JSON.parse(row.settings) as QueueSettings,
    tags: JSON.parse(row.tags) as Record<string, string>,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
    purgedAt: row.purged_at,
  };
}

/** Maps a claimed message row (receipt set) to the contract's message. */
export const toStoredMessage = (row: MessageRow): StoredMessage => messageFromRow(row, (n) => n);

/** Parses a stored move task. */
export const toMoveTask = (row: { record: string }): MoveTaskRecord =>
  JSON.parse(row.record) as MoveTaskRecord;
