/**
 * `ballast/interactions`: declared hard- and soft-real-time interactions (`defineInteraction`),
 * the 202-Accepted adapter of soft real-time, and their metrics. The parts they are built from
 * are `ballast/resilience`; the REL04 analyser behind `ballast doctor` is `ballast/doctor`.
 */
export {
  defineInteraction,
  type HardRealTimeOptions,
  type SoftRealTimeOptions,
} from './interaction.js';
export {
  HardRealTimeInteraction,
  type AttemptContext,
  type CallOptions,
  type EndpointPicker,
  type InteractionStats,
} from './hard-real-time.js';
export {
  newOperationId,
  operationIdFor,
  SoftRealTimeInteraction,
  type OperationContext,
  type OperationState,
  type OperationStatus,
  type ProcessOptions,
  type SoftRealTimeHost,
  type Submission,
} from './soft-real-time.js';
export { acceptListener, acceptRoutes, type AcceptRoutesOptions } from './accept-http.js';
export { registerInteractionMetrics } from './metrics.js';

// Compatibility: these names moved to `ballast/resilience`; code that imported them from here still compiles.
export {
  /** @deprecated Import from 'ballast/resilience'. */
  DEFAULT_BACKOFF,
  /** @deprecated Import from 'ballast/resilience'. */
  decorrelatedJitterSeconds,
  /** @deprecated Import from 'ballast/resilience'. */
  equalJitterSeconds,
  /** @deprecated Import from 'ballast/resilience'. */
  exponentialSeconds,
  /** @deprecated Import from 'ballast/resilience'. */
  fullJitterSeconds,
  /** @deprecated Import from 'ballast/resilience'. */
  type BackoffOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  isRetryable,
  /** @deprecated Import from 'ballast/resilience'. */
  type BackoffKind,
  /** @deprecated Import from 'ballast/resilience'. */
  type RetryOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  type RetryPolicy,
  /** @deprecated Import from 'ballast/resilience'. */
  RatioBudget,
  /** @deprecated Import from 'ballast/resilience'. */
  TokenBucketBudget,
  /** @deprecated Import from 'ballast/resilience'. */
  type RatioBudgetOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  type RetryBudget,
  /** @deprecated Import from 'ballast/resilience'. */
  type RetryCause,
  /** @deprecated Import from 'ballast/resilience'. */
  type RetryGrant,
  /** @deprecated Import from 'ballast/resilience'. */
  type TokenBucketOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  CircuitBreaker,
  /** @deprecated Import from 'ballast/resilience'. */
  type BreakerSnapshot,
  /** @deprecated Import from 'ballast/resilience'. */
  type BreakerState,
  /** @deprecated Import from 'ballast/resilience'. */
  type BreakerTicket,
  /** @deprecated Import from 'ballast/resilience'. */
  type BreakerTrigger,
  /** @deprecated Import from 'ballast/resilience'. */
  type CircuitBreakerOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  Deadline,
  /** @deprecated Import from 'ballast/resilience'. */
  DEADLINE_HEADER,
  /** @deprecated Import from 'ballast/resilience'. */
  MAX_DEADLINE_MS,
  /** @deprecated Import from 'ballast/resilience'. */
  Bulkhead,
  /** @deprecated Import from 'ballast/resilience'. */
  type BulkheadOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  ConcurrencyLimiter,
  /** @deprecated Import from 'ballast/resilience'. */
  DEFAULT_EXEMPT_PATHS,
  /** @deprecated Import from 'ballast/resilience'. */
  type LoadSheddingOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  type SheddingRequest,
  /** @deprecated Import from 'ballast/resilience'. */
  registerLoadSheddingMetrics,
  /** @deprecated Import from 'ballast/resilience'. */
  currentDeadline,
  /** @deprecated Import from 'ballast/resilience'. */
  deadlineMiddleware,
  /** @deprecated Import from 'ballast/resilience'. */
  fetchWithDeadline,
  /** @deprecated Import from 'ballast/resilience'. */
  honoDeadline,
  /** @deprecated Import from 'ballast/resilience'. */
  withDeadline,
  /** @deprecated Import from 'ballast/resilience'. */
  type DeadlineMiddlewareOptions,
  /** @deprecated Import from 'ballast/resilience'. */
  fastifyDeadline,
  /** @deprecated Import from 'ballast/resilience'. */
  honoLoadShedding,
  /** @deprecated Import from 'ballast/resilience'. */
  loadShedding,
  /** @deprecated Import from 'ballast/resilience'. */
  type LoadSheddingMiddleware,
  /** @deprecated Import from 'ballast/resilience'. */
  fastifyLoadShedding,
} from '../resilience/index.js';
