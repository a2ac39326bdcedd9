import type { MessageAttributeValue } from '../store/contract.js';
import type { RedriveAllowPolicy } from './settings.js';

export type { MessageAttributeValue };

/** Options for a new queue (library); every field optional, SQS defaults apply. */
export interface QueueOptions {
  /** FIFO queue (the name must end in `.fifo`). @defaultValue false */
  fifo?: boolean;
  /** Seconds a received message stays hidden, 0–43,200. @defaultValue 30 */
  visibilityTimeout?: number;
  /** Seconds before a new message can be received, 0–900. @defaultValue 0 */
  delaySeconds?: number;
  /** Seconds a message is kept, 60–1,209,600. @defaultValue 345,600 (4 days) */
  messageRetentionPeriod?: number;
  /** Largest message in bytes, 1,024–1,048,576. @defaultValue 1,048,576 */
  maximumMessageSize?: number;
  /** Default long-poll wait in seconds, 0–20. @defaultValue 0 */
  receiveMessageWaitTimeSeconds?: number;
  /** Dead-letter queue (name or ARN) and how many receives send a message there (1–1000). */
  deadLetterQueue?: { queue: string; maxReceiveCount: number };
  /** Which source queues may use this queue as their DLQ. @defaultValue allowAll */
  redriveAllowPolicy?: RedriveAllowPolicy;
  /** FIFO: deduplicate by SHA-256 of the body. @defaultValue false */
  contentBasedDeduplication?: boolean;
  /** FIFO: deduplication scope. @defaultValue 'queue' */
  deduplicationScope?: 'queue' | 'messageGroup';
  /** FIFO: throughput unit (stored; no quota applied). @defaultValue 'perQueue' */
  fifoThroughputLimit?: 'perQueue' | 'perMessageGroupId';
  /** Tags (≤ 50). */
  tags?: Record<string, string>;
}

/** Options for one send. */
export interface SendMessageOptions {
  /** Seconds before the message can be received, 0–900 (not on FIFO queues). @defaultValue the queue's */
  delaySeconds?: number;
  /** Message group: required on FIFO queues; on standard queues it names a tenant (fair queues). */
  groupId?: string;
  /** FIFO deduplication id; without it a FIFO queue needs content-based deduplication. */
  deduplicationId?: string;
  /** Message attributes (≤ 10). */
  attributes?: Record<string, MessageAttributeValue>;
  /** X-Ray trace header (`AWSTraceHeader` system attribute). */
  traceHeader?: string;
  /**
   * The caller's own open transaction (transactional outbox): a `pg` client inside BEGIN on the
   * same database, or the better-sqlite3 Database of the same file inside `db.transaction()`.
   */
  transaction?: unknown;
}

/** One entry of `sendBatch`. */
export interface SendBatchEntry extends Omit<SendMessageOptions, 'transaction'> {
  /** Entry id, unique in the batch (`[A-Za-z0-9_-]`, ≤ 80). @defaultValue its index */
  id?: string;
  body: string;
}

/** What a send returns. */
export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  /** FIFO only: 20-digit increasing sequence number. */
  sequenceNumber?: string;
}

/** Per-entry outcome of a batch call. */
export interface BatchResult<T> {
  successful: (T & { id: string })[];
  failed: BatchFailure[];
}

/** A failed batch entry (SQS BatchResultErrorEntry). */
export interface BatchFailure {
  id: string;
  senderFault: boolean;
  code: string;
  message: string;
}

/** Options for one receive. */
export interface ReceiveOptions {
  /** 1–10. @defaultValue 1 */
  maxMessages?: number;
  /** Visibility for these messages, seconds (0–43,200). @defaultValue the queue's */
  visibilityTimeout?: number;
  /** Long-poll wait, seconds (0–20); returns as soon as a message is available. @defaultValue the queue's */
  waitTimeSeconds?: number;
  /** FIFO: ReceiveRequestAttemptId for safe retries of a lost receive. */
  receiveRequestAttemptId?: string;
  /** Ends a long poll early (returns what was found, usually nothing). */
  signal?: AbortSignal;
}

/** A received message. Timestamps are epoch ms. */
export interface ReceivedMessage {
  messageId: string;
  /** Proof of this receive; only the newest handle of a message can delete it or change its visibility. */
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  /** Receives so far, this one included. */
  receiveCount: number;
  sentTimestamp: number;
  firstReceiveTimestamp: number;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  deadLetterQueueSourceArn?: string;
  traceHeader?: string;
}

/** Approximate counts of a queue. */
export interface QueueDepth {
  visible: number;
  delayed: number;
  inFlight: number;
  /** Age of the oldest message, seconds (0 when empty). */
  oldestAgeSeconds: number;
}
