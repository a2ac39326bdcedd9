import type { Clock } from '../core/clock.js';
import type { QueueLimits } from '../core/limits.js';
import type { QueueRecord, QueueStats, Store } from '../store/contract.js';
import type { QueueEvents } from './events.js';

/** What a Queue handle shares with its manager. */
export interface QueueContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly limits: QueueLimits;
  readonly events: QueueEvents;
  /** ARN of a queue name. */
  arn(name: string): string;
  /** The live queue, from a short-lived cache; throws `QueueDoesNotExist`. */
  resolve(name: string): Promise<QueueRecord>;
  /** Queue name from an ARN of this region and account, or undefined. */
  nameFromArn(arn: string): string | undefined;
  /**
   * Approximate counts of a queue, computed at most once a second however many callers ask
   * (dashboards, metrics scrapes, GetQueueAttributes): counting is never per request.
   */
  stats(queue: QueueRecord): Promise<QueueStats>;
  /** Forgets a cached queue after a local change. */
  invalidate(name: string): void;
}
