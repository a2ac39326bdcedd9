import type { QueueSettings } from '../store/queue-settings.js';

// The types live with the store that persists them; re-exported here for `ballast/queue` users.
export type { QueueSettings, RedriveAllowPolicy, RedrivePolicy } from '../store/queue-settings.js';

/** Defaults SQS uses for a new queue. */
export const DEFAULT_QUEUE_SETTINGS = {
  fifo: false,
  visibilityTimeout: 30,
  delaySeconds: 0,
  messageRetentionPeriod: 345_600,
  maximumMessageSize: 1_048_576,
  receiveMessageWaitTimeSeconds: 0,
  redrivePolicy: null,
  redriveAllowPolicy: null,
  contentBasedDeduplication: false,
  deduplicationScope: 'queue',
  fifoThroughputLimit: 'perQueue',
  kmsMasterKeyId: null,
  kmsDataKeyReusePeriodSeconds: 300,
  sqsManagedSseEnabled: true,
  policy: null,
} as const satisfies QueueSettings;
