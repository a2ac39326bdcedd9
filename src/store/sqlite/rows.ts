import type { MessageAttributeValue, MoveTaskRecord, QueueRecord, StoredMessage } from '../contract.js';
import type { QueueSettings } from '../../queue/settings.js';

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
export interface MessageRow {
  position: number;
  queue_id: number;
  message_id: string;
  body: string;
  attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  group_id: string | null;
  dedup_id: string | null;
  trace_header: string | null;
  dlq_source_arn: string | null;
  sent_at: number;
  visible_at: number;
  expires_at: number;
  receive_count: number;
  first_received_at: number | null;
  received_at: number | null;
  receipt: string | null;
}

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
export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    position: row.position,
    messageId: row.message_id,
    body: row.body,
    attributes: row.attributes === null ? null : (JSON.parse(row.attributes) as Record<string, MessageAttributeValue>),
    md5OfBody: row.md5_body,
    md5OfAttributes: row.md5_attributes,
    groupId: row.group_id,
    deduplicationId: row.dedup_id,
    traceHeader: row.trace_header,
    deadLetterSourceArn: row.dlq_source_arn,
    sentAt: row.sent_at,
    receiveCount: row.receive_count,
    firstReceivedAt: row.first_received_at ?? row.received_at ?? row.sent_at,
    receiptToken: row.receipt ?? '',
  };
}

/** Parses a stored move task. */
export const toMoveTask = (row: { record: string }): MoveTaskRecord => JSON.parse(row.record) as MoveTaskRecord;
