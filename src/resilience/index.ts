/**
 * `ballast/resilience`: the parts interactions are built from — backoff as pure functions, retry
 * policies and budgets, a circuit breaker, a bulkhead, deadlines and their propagation over HTTP,
 * and load shedding, with their node:http / Express / Fastify / Hono adapters.
 */
export {
  DEFAULT_BACKOFF,
  decorrelatedJitterSeconds,
  equalJitterSeconds,
  exponentialSeconds,
  fullJitterSeconds,
  type BackoffOptions,
} from '../core/backoff.js';
export {
  isRetryable,
  type BackoffKind,
  type RetryOptions,
  type RetryPolicy,
} from './retry-policy.js';
export {
  RatioBudget,
  TokenBucketBudget,
  type RatioBudgetOptions,
  type RetryBudget,
  type RetryCause,
  type RetryGrant,
  type TokenBucketOptions,
} from './budget.js';
export {
  CircuitBreaker,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTicket,
  type BreakerTrigger,
  type CircuitBreakerOptions,
} from './breaker.js';
export { Deadline, DEADLINE_HEADER, MAX_DEADLINE_MS } from './deadline.js';
export { Bulkhead, type BulkheadOptions } from './bulkhead.js';
export {
  ConcurrencyLimiter,
  DEFAULT_EXEMPT_PATHS,
  type LoadSheddingOptions,
  type SheddingRequest,
} from './load-shedding.js';
export { registerLoadSheddingMetrics } from './metrics.js';
export {
  currentDeadline,
  deadlineMiddleware,
  fetchWithDeadline,
  honoDeadline,
  withDeadline,
  type DeadlineMiddlewareOptions,
} from './http/deadline-http.js';
export { fastifyDeadline } from './http/deadline-fastify.js';
export {
  honoLoadShedding,
  loadShedding,
  type LoadSheddingMiddleware,
} from './http/load-shedding-http.js';
export { fastifyLoadShedding } from './http/load-shedding-fastify.js';
