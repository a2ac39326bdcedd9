import { EventEmitter } from 'node:events';

/** Typed events of queues and consumers (the server wires them to logs and metrics). */
export interface QueueEventMap {
  /** Messages stored (count) on a queue. */
  'message:sent': [{ queue: string; count: number }];
  /** Messages handed out by a receive. */
  'message:received': [{ queue: string; count: number }];
  /** Messages deleted (acknowledged). */
  'message:deleted': [{ queue: string; count: number }];
  /** A consumer's handler failed; the message becomes visible again after `retryInSeconds`. */
  'handler:failed': [{ queue: string; messageId: string; error: unknown; retryInSeconds: number }];
  /** A consumer hit an error talking to the store; it backs off and retries. */
  'consumer:error': [{ queue: string; error: unknown }];
}

/** An EventEmitter typed by `QueueEventMap`. */
export class QueueEvents extends EventEmitter<QueueEventMap> {}
