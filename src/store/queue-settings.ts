// Queue settings as the store persists them (the queue feature owns their defaults: queue/settings.ts).

/** A queue's configuration, typed and resolved (SQS attribute names in camelCase). */
export interface QueueSettings {
  /** FIFO queue; fixed at creation. @defaultValue false */
  fifo: boolean;
  /** Seconds a received message stays hidden. @defaultValue 30 */
  visibilityTimeout: number;
  /** Seconds a new message waits before it can be received. @defaultValue 0 */
  delaySeconds: number;
  /** Seconds a message is kept after it was sent. @defaultValue 345_600 (4 days) */
  messageRetentionPeriod: number;
  /** Largest message (body + attributes), bytes. @defaultValue 1_048_576 */
  maximumMessageSize: number;
  /** Default long-poll wait for receives, seconds. @defaultValue 0 */
  receiveMessageWaitTimeSeconds: number;
  /** Where messages go after `maxReceiveCount` receives; null = nowhere. */
  redrivePolicy: RedrivePolicy | null;
  /** Which queues may use this one as their dead-letter queue; null = allowAll. */
  redriveAllowPolicy: RedriveAllowPolicy | null;
  /** FIFO: deduplicate by SHA-256 of the body when no id is given. @defaultValue false */
  contentBasedDeduplication: boolean;
  /** FIFO: where deduplication ids are unique. @defaultValue 'queue' */
  deduplicationScope: 'queue' | 'messageGroup';
  /** FIFO: throughput quota unit (accepted and stored; Ballast applies no quota). @defaultValue 'perQueue' */
  fifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
  /** Stored for compatibility; Ballast does not encrypt with KMS. */
  kmsMasterKeyId: string | null;
  /** Stored for compatibility. @defaultValue 300 */
  kmsDataKeyReusePeriodSeconds: number;
  /** Stored for compatibility. @defaultValue true */
  sqsManagedSseEnabled: boolean;
  /** Access policy JSON, stored for compatibility (not enforced). */
  policy: string | null;
}

/** `RedrivePolicy`: the dead-letter queue (by ARN) and the receive count that sends a message there. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  /** 1–1000. @defaultValue 10 */
  maxReceiveCount: number;
}

/** `RedriveAllowPolicy` of a dead-letter queue. */
export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  /** Up to 10 source queue ARNs, with `byQueue`. */
  sourceQueueArns?: string[];
}
