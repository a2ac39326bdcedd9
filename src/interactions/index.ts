/**
 * `ballast/interactions`: declared hard- and soft-real-time interactions (`defineInteraction`),
 * and the parts they are built from — backoff as pure functions, retry budgets, a circuit
 * breaker, a bulkhead, deadlines and their propagation over HTTP, and load shedding.
 * The REL04 analyser behind `ballast doctor` is `ballast/doctor`.
 */
export { defineInteraction, type HardRealTimeOptions, type SoftRealTimeOptions } from './interaction.js';
export { HardRealTimeInteraction, type AttemptContext, type CallOptions, type EndpointPicker, type InteractionStats } from './hard-real-time.js';
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
export { isRetryable, type BackoffKind, type RetryOptions, type RetryPolicy } from './retry-policy.js';
export { DEFAULT_BACKOFF, decorrelatedJitterSeconds, equalJitterSeconds, exponentialSeconds, fullJitterSeconds, type BackoffOptions } from '../core/backoff.js';
export { RatioBudget, TokenBucketBudget, type RatioBudgetOptions, type RetryBudget, type RetryCause, type RetryGrant, type TokenBucketOptions } from './budget.js';
export { CircuitBreaker, type BreakerSnapshot, type BreakerState, type BreakerTicket, type BreakerTrigger, type CircuitBreakerOptions } from './breaker.js';
export { Deadline, DEADLINE_HEADER, MAX_DEADLINE_MS } from './deadline.js';
export { Bulkhead, type BulkheadOptions } from './bulkhead.js';
export { fastifyDeadline } from './deadline-fastify.js';
export { registerInteractionMetrics, registerLoadSheddingMetrics } from './metrics.js';
export { ConcurrencyLimiter, DEFAULT_EXEMPT_PATHS, type LoadSheddingOptions, type SheddingRequest } from './load-shedding.js';
export { honoLoadShedding, loadShedding, type LoadSheddingMiddleware } from './load-shedding-http.js';
export { fastifyLoadShedding } from './load-shedding-fastify.js';
export { currentDeadline, deadlineMiddleware, fetchWithDeadline, honoDeadline, withDeadline, type DeadlineMiddlewareOptions } from './deadline-http.js';
