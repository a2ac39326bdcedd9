import type { MessageAttributeValue, MoveTaskRecord, QueueRecord, StoredMessage } from '../contract.js';
import type { QueueSettings } from '../../queue/settings.js';

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
export interface MessageRow {
  position: Int8;
  queue_id: Int8;
  message_id: string;
  body: string;
  attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  group_id: string | null;
  dedup_id: string | null;
  trace_header: string | null;
  dlq_source_arn: string | null;
  sent_at: Int8;
  visible_at: Int8;
  expires_at: Int8;
  receive_count: number;
  first_received_at: Int8 | null;
  received_at: Int8 | null;
  receipt: string | null;
}

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
export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    position: num(row.position),
    messageId: row.message_id,
    body: row.body,
    attributes: row.attributes === null ? null : (JSON.parse(row.attributes) as Record<string, MessageAttributeValue>),
    md5OfBody: row.md5_body,
    md5OfAttributes: row.md5_attributes,
    groupId: row.group_id,
    deduplicationId: row.dedup_id,
    traceHeader: row.trace_header,
    deadLetterSourceArn: row.dlq_source_arn,
    sentAt: num(row.sent_at),
    receiveCount: row.receive_count,
    firstReceivedAt: num(row.first_received_at ?? row.received_at ?? row.sent_at),
    receiptToken: row.receipt ?? '',
  };
}

/** Parses a stored move task. */
export const toMoveTask = (row: { record: MoveTaskRecord }): MoveTaskRecord => row.record;

/** Orders rows by a list of positions (RETURNING gives no order). */
export function inPositionOrder<R extends { position: Int8 }>(rows: readonly R[], positions: readonly number[]): R[] {
  const byPosition = new Map(rows.map((r) => [num(r.position), r]));
  return positions.flatMap((p) => {
    const row = byPosition.get(p);
    return row ? [row] : [];
  });
}
