/**
 * The queue feature of the storage contract: queues, messages, receipt handles, dead-letter
 * moves (see contract.ts for the store itself and the list of features).
 *
 * Glossary (used in code, docs and errors):
 * - message: a queue entry. position: the store's increasing id of a stored message (FIFO
 *   order and SequenceNumber come from it).
 * - receipt token: random token written on each receive; a receipt handle = (position, token).
 *   Only the newest token matches, so an old handle can never touch a re-received message.
 * - visible at: epoch ms from which a message can be received. A message with
 *   `visibleAt > now` is *delayed* when never received (receiveCount 0), *in flight* otherwise.
 * - expires at: epoch ms after which retention removes the message.
 */
import type { QueueSettings } from './queue-settings.js';
import type { StoreTransaction } from './transaction.js';

/** A stored queue. */
export interface QueueRecord {
  /** Store-assigned id, stable for the queue's life (a re-created queue gets a new one). */
  readonly id: number;
  readonly name: string;
  readonly settings: QueueSettings;
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly modifiedAt: number;
  /** Epoch ms of the last purge, or null. */
  readonly purgedAt: number | null;
}

/**
 * Result of `createQueue`: `created` (this call made it), `exists` (a live queue of this name;
 * the domain compares settings), or `deletedRecently` (a queue of this name was deleted less
 * than the cooldown ago).
 */
export type CreateQueueResult =
  | { readonly status: 'created' | 'exists'; readonly queue: QueueRecord }
  | { readonly status: 'deletedRecently'; readonly deletedAt: number };

/** A message attribute value as SQS models it. `binaryValue` is raw bytes, base64-encoded. */
export interface MessageAttributeValue {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

/** One message to store; the domain has validated and resolved everything in it. */
export interface NewMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>> | null;
  readonly md5OfBody: string;
  readonly md5OfAttributes: string | null;
  readonly groupId: string | null;
  /** FIFO deduplication id (explicit or content hash); null on standard queues. */
  readonly deduplicationId: string | null;
  readonly traceHeader: string | null;
  /** ARN of the queue this message was dead-lettered from, when moved back or into a DLQ. */
  readonly deadLetterSourceArn: string | null;
  /** Delay before the message becomes receivable, ms. */
  readonly delayMs: number;
  /** Retention, ms after send. */
  readonly retentionMs: number;
  /** Original send time (epoch ms) to keep, for moves that preserve it; null = now. */
  readonly sentAt: number | null;
}

/** Outcome of storing one message. */
export interface SendOutcome {
  readonly messageId: string;
  readonly position: number;
  /** Epoch ms the store recorded as sent. */
  readonly sentAt: number;
  /** True when FIFO deduplication matched an earlier message: nothing was stored, ids are the original's. */
  readonly duplicate: boolean;
}

/** Options that apply to every message of one send. */
export interface SendOptions {
  /** FIFO deduplication: window in ms and whether ids are scoped per message group. */
  readonly deduplication?: { windowMs: number; perGroup: boolean };
  /**
   * Caller's own transaction, in the driver's native form (a connection or client of the
   * store's database, inside the caller's open transaction). The message commits with it; no
   * wake-up is sent before commit.
   */
  readonly transaction?: unknown;
}

/** A message as a receive returns it. */
export interface StoredMessage {
  readonly position: number;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>> | null;
  readonly md5OfBody: string;
  readonly md5OfAttributes: string | null;
  readonly groupId: string | null;
  readonly deduplicationId: string | null;
  readonly traceHeader: string | null;
  readonly deadLetterSourceArn: string | null;
  readonly sentAt: number;
  /** Receives so far, this one included. */
  readonly receiveCount: number;
  readonly firstReceivedAt: number;
  /** Token of this receive (see glossary). */
  readonly receiptToken: string;
}

/** One receive: claims up to `max` messages atomically. */
export interface ReceiveRequest {
  /** FIFO order and group gate apply. */
  readonly fifo: boolean;
  readonly max: number;
  /** How long claimed messages stay in flight, ms. */
  readonly visibilityMs: number;
  /**
   * Dead-letter redrive: a message already received `maxReceiveCount` times is moved to
   * `queueId` (new position, receive count 0, `deadLetterSourceArn` = `sourceArn`) instead
   * of being returned. `resetSentAt`: FIFO DLQs restart the message's retention.
   */
  readonly deadLetter?: {
    readonly queueId: number;
    readonly maxReceiveCount: number;
    readonly sourceArn: string;
    readonly resetSentAt: boolean;
    readonly retentionMs: number;
  };
  /**
   * FIFO ReceiveRequestAttemptId: a retry with the same id within `windowMs` returns the same
   * messages with the same tokens (visibility reset), provided none was deleted or changed.
   */
  readonly attempt?: { readonly id: string; readonly windowMs: number };
  /** Fair queues: spread the claim across message groups (standard queues with group ids). */
  readonly fairGroups?: boolean;
}

/** A receipt handle, decoded. */
export interface ReceiptRef {
  readonly position: number;
  readonly token: string;
}

/**
 * Result for one handle: `ok`; `stale` (the message is gone or was received again since: nothing
 * changed); `notInflight` (token matches but the visibility already ended); `overLimit` (new
 * visibility would pass `maxTotalMs` after the receive).
 */
export type HandleOutcome = 'ok' | 'stale' | 'notInflight' | 'overLimit';

/** One visibility change. */
export interface VisibilityChange extends ReceiptRef {
  /** New visibility, ms from now. */
  readonly visibilityMs: number;
}

/** Approximate counts for one queue. */
export interface QueueStats {
  /** Receivable now. */
  readonly visible: number;
  /** Never received, waiting for their delay. */
  readonly delayed: number;
  /** Received and still hidden. */
  readonly inFlight: number;
  /** Epoch ms of the oldest stored message's send, or null when empty. */
  readonly oldestSentAt: number | null;
}

/** Where a moved message goes. */
export interface MoveDestination {
  readonly queueId: number;
  /** The destination's retention, ms. */
  readonly retentionMs: number;
  readonly fifo: boolean;
}

/** A message move task (dead-letter redrive) as stored. */
export interface MoveTaskRecord {
  readonly handle: string;
  readonly sourceQueueId: number;
  readonly sourceArn: string;
  /** Null: each message goes back to its own source queue. */
  readonly destinationArn: string | null;
  /** Messages per second, or null for as fast as possible. */
  readonly maxPerSecond: number | null;
  readonly status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  readonly moved: number;
  readonly toMove: number;
  readonly failureReason: string | null;
  readonly startedAt: number;
  readonly updatedAt: number;
}

/** Fields a move task update may change. */
export type MoveTaskPatch = Partial<Pick<MoveTaskRecord, 'status' | 'moved' | 'failureReason'>> & {
  readonly updatedAt: number;
};

/** When a move task update applies. */
export interface MoveTaskCondition {
  readonly statusIn: readonly MoveTaskRecord['status'][];
  /** Only when the record's `updatedAt` is older than this (epoch ms). */
  readonly updatedBefore?: number;
}

/** Wake-up listener: called (after commit) when messages may have become available in a queue. */
export type WakeListener = () => void;

/** Storage for queues and messages. Every method is atomic on its own. */
export interface QueueStore {
  /**
   * Creates the queue unless one of this name exists. Returns the existing one (created false)
   * when it does; the domain compares settings. A deleted queue within `cooldownMs` blocks the
   * name (returned as `deletedAt`); an older deleted one is replaced.
   */
  createQueue(
    name: string,
    settings: QueueSettings,
    tags: Record<string, string>,
    cooldownMs: number,
  ): Promise<CreateQueueResult>;
  /** The live queue of this name, if any. */
  getQueue(name: string): Promise<QueueRecord | undefined>;
  /** Live queues whose name starts with `prefix`, by name, after `afterName`, at most `limit`. */
  listQueues(prefix: string, afterName: string | null, limit: number): Promise<QueueRecord[]>;
  /** Replaces settings and/or tags; returns the updated record, or undefined if the queue is gone. */
  updateQueue(
    queueId: number,
    change: { settings?: QueueSettings; tags?: Record<string, string> },
  ): Promise<QueueRecord | undefined>;
  /** Deletes the queue and its messages; the name stays blocked for the cooldown. False if absent. */
  deleteQueue(queueId: number): Promise<boolean>;
  /**
   * Removes every message of the queue unless the last purge was within `cooldownMs`
   * (returns false then).
   */
  purgeQueue(queueId: number, cooldownMs: number): Promise<boolean>;

  /** Stores messages in order, in one transaction; FIFO deduplication is decided inside it. */
  send(
    queueId: number,
    messages: readonly NewMessage[],
    options?: SendOptions,
  ): Promise<SendOutcome[]>;
  /**
   * Present when `capabilities.synchronousTransactions`: stores the messages inside the caller's
   * own SYNCHRONOUS transaction (`options.transaction`) and returns at once. Consumers are woken
   * after the caller's transaction ends.
   */
  sendWithinSync?(
    queueId: number,
    messages: readonly NewMessage[],
    options: SendOptions & { transaction: unknown },
  ): SendOutcome[];
  /**
   * Stores messages inside a transaction the store opened for user code (`tx`, from a
   * transactional idempotency run): synchronously when `capabilities.synchronousTransactions`,
   * else with a promise. They commit with it; consumers are woken after it commits.
   */
  sendInTransaction(
    tx: StoreTransaction,
    queueId: number,
    messages: readonly NewMessage[],
    options?: Omit<SendOptions, 'transaction'>,
  ): SendOutcome[] | Promise<SendOutcome[]>;
  /**
   * Claims up to `max` receivable messages: standard queues in (visibleAt, position) order,
   * FIFO queues in position order with a group blocked while any earlier message of it is
   * delayed or in flight. Expired messages are never returned.
   */
  receive(queueId: number, request: ReceiveRequest): Promise<StoredMessage[]>;
  /** Deletes by handle; per handle `ok` or `stale`. */
  deleteMessages(queueId: number, refs: readonly ReceiptRef[]): Promise<HandleOutcome[]>;
  /** Changes visibility by handle; `maxTotalMs` caps visibility counted from that receive. */
  changeVisibility(
    queueId: number,
    changes: readonly VisibilityChange[],
    maxTotalMs: number,
  ): Promise<HandleOutcome[]>;
  /** Approximate counts. */
  stats(queueId: number): Promise<QueueStats>;
  /** Epoch ms at which the next delayed or in-flight message becomes visible, or null. */
  nextVisibleAt(queueId: number): Promise<number | null>;
  /** Deletes messages past retention in every queue (at most `limit`); returns how many. */
  removeExpired(limit: number): Promise<number>;
  /** Ids of live queues (for sweeps and metrics). */
  listQueueIds(): Promise<number[]>;

  /**
   * Moves up to `limit` receivable messages (oldest first) out of a dead-letter queue: to
   * `destination`, or (null) to `origins.get(message.deadLetterSourceArn)`. A moved message
   * gets a new id from `newId`, a new send time and receive count 0; on a FIFO destination its
   * deduplication id becomes its original message id. Messages with no live origin stay and
   * count as `unroutable`.
   */
  moveMessages(
    sourceQueueId: number,
    destination: MoveDestination | null,
    origins: ReadonlyMap<string, MoveDestination>,
    limit: number,
    newId: () => string,
  ): Promise<{ moved: number; unroutable: number }>;
  /** Message move task records: insert or replace. */
  putMoveTask(task: MoveTaskRecord): Promise<void>;
  /**
   * Patches a task atomically when it matches `when` (status among `statusIn`; `updatedAt`
   * before `updatedBefore`); returns the new record, or undefined when it did not match.
   * Runners, cancellers and nodes adopting an orphaned task never overwrite each other.
   */
  updateMoveTask(
    handle: string,
    patch: MoveTaskPatch,
    when: MoveTaskCondition,
  ): Promise<MoveTaskRecord | undefined>;
  /** Tasks RUNNING or CANCELLING, of every queue. */
  listActiveMoveTasks(): Promise<MoveTaskRecord[]>;
  getMoveTask(handle: string): Promise<MoveTaskRecord | undefined>;
  listMoveTasks(sourceQueueId: number, limit: number): Promise<MoveTaskRecord[]>;

  /** Registers a wake-up for a queue; returns the unsubscribe function. */
  onWake(queueId: number, listener: WakeListener): () => void;
}

/** The `QueueStore` methods a driver binds from its operation modules (all but `onWake` and the transactional sends). */
export const QUEUE_OPERATIONS = [
  'createQueue',
  'getQueue',
  'listQueues',
  'updateQueue',
  'deleteQueue',
  'purgeQueue',
  'send',
  'receive',
  'deleteMessages',
  'changeVisibility',
  'stats',
  'nextVisibleAt',
  'removeExpired',
  'listQueueIds',
  'moveMessages',
  'putMoveTask',
  'updateMoveTask',
  'listActiveMoveTasks',
  'getMoveTask',
  'listMoveTasks',
] as const satisfies readonly (keyof QueueStore)[];
