import type { MessageAttributeValue, StoredMessage } from '../contract.js';

/** A `messages` row as both drivers store it; `N` is how the driver returns 64-bit integers. */
export interface MessageColumns<N> {
  position: N;
  queue_id: N;
  message_id: string;
  body: string;
  attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  group_id: string | null;
  dedup_id: string | null;
  trace_header: string | null;
  dlq_source_arn: string | null;
  sent_at: N;
  visible_at: N;
  expires_at: N;
  receive_count: number;
  first_received_at: N | null;
  received_at: N | null;
  receipt: string | null;
}

/** Maps a claimed message row (receipt set) to the contract's message; `num` reads a 64-bit column. */
export function messageFromRow<N>(
  row: MessageColumns<N>,
  num: (value: N) => number,
): StoredMessage {
  return {
    position: num(row.position),
    messageId: row.message_id,
    body: row.body,
    attributes:
      row.attributes === null
        ? null
        : (JSON.parse(row.attributes) as Record<string, MessageAttributeValue>),
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
