/**
 * SQS limits and defaults (reference/sqs.md §5). Each is a configurable limit: pass
 * `limits` to `openBallast` to change one. Times are in seconds unless named `...Ms`.
 */
export interface QueueLimits {
  /** Longest queue name, counting `.fifo`. @defaultValue 80 */
  maxQueueNameLength: number;
  /** Most messages per batch call and per receive. @defaultValue 10 */
  maxBatchEntries: number;
  /** Largest total payload of one batch, bytes. @defaultValue 1_048_576 */
  maxBatchBytes: number;
  /** Ceiling for `MaximumMessageSize`, bytes. @defaultValue 1_048_576 */
  maxMessageBytes: number;
  /** Longest visibility timeout, seconds (also the cap from a receive). @defaultValue 43_200 */
  maxVisibilityTimeout: number;
  /** Longest delay, seconds. @defaultValue 900 */
  maxDelaySeconds: number;
  /** Shortest and longest retention, seconds. @defaultValue 60 / 1_209_600 */
  minRetentionPeriod: number;
  maxRetentionPeriod: number;
  /** Longest long-poll wait, seconds. @defaultValue 20 */
  maxWaitTimeSeconds: number;
  /** Most message attributes per message. @defaultValue 10 */
  maxMessageAttributes: number;
  /** FIFO deduplication window and ReceiveRequestAttemptId life, seconds. @defaultValue 300 */
  deduplicationInterval: number;
  /** Time a deleted queue's name stays reserved, and between two purges, seconds. @defaultValue 60 */
  queueDeletedCooldown: number;
  purgeCooldown: number;
  /** Highest `maxReceiveCount` in a RedrivePolicy. @defaultValue 1000 */
  maxReceiveCount: number;
  /** Fastest message move task, messages per second. @defaultValue 500 */
  maxMoveRate: number;
  /** Most tags per queue. @defaultValue 50 */
  maxTags: number;
}

/** SQS's own numbers. */
export const DEFAULT_QUEUE_LIMITS = {
  maxQueueNameLength: 80,
  maxBatchEntries: 10,
  maxBatchBytes: 1_048_576,
  maxMessageBytes: 1_048_576,
  maxVisibilityTimeout: 43_200,
  maxDelaySeconds: 900,
  minRetentionPeriod: 60,
  maxRetentionPeriod: 1_209_600,
  maxWaitTimeSeconds: 20,
  maxMessageAttributes: 10,
  deduplicationInterval: 300,
  queueDeletedCooldown: 60,
  purgeCooldown: 60,
  maxReceiveCount: 1000,
  maxMoveRate: 500,
  maxTags: 50,
} as const satisfies QueueLimits;
