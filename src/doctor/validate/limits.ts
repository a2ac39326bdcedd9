/** The bounds the topology validator enforces; anything outside is refused as a likely mistake. */
export const TOPOLOGY_LIMITS = {
  /** Longest deadline, timeout, interval or age, ms (one day). @defaultValue 86_400_000 */
  maxMs: 86_400_000,
  /** Most attempts of one call, the first included. @defaultValue 100 */
  maxAttempts: 100,
  /** Longest visibility timeout, seconds (SQS: 12 hours). @defaultValue 43_200 */
  maxVisibilitySeconds: 43_200,
  /** Longest handler timeout, seconds (one day). @defaultValue 86_400 */
  maxHandlerSeconds: 86_400,
  /** Largest `maxReceiveCount` (SQS). @defaultValue 1_000 */
  maxReceiveCount: 1_000,
  /** Most retries of a bus target (EventBridge). @defaultValue 185 */
  maxTargetRetries: 185,
  /** Shortest `maximumEventAgeSeconds` of a bus target (EventBridge). @defaultValue 60 */
  minEventAgeSeconds: 60,
  /** Longest `maximumEventAgeSeconds` of a bus target (EventBridge). @defaultValue 86_400 */
  maxEventAgeSeconds: 86_400,
  /** Shortest health-check interval, ms. @defaultValue 100 */
  minHealthIntervalMs: 100,
  /** Largest healthy/unhealthy threshold. @defaultValue 100 */
  maxThreshold: 100,
  /** Most items in one list (interactions, calls, queues…). @defaultValue 10_000 */
  maxItems: 10_000,
  /** Largest token-bucket capacity or cost. @defaultValue 1_000_000 */
  maxTokens: 1_000_000,
} as const;
