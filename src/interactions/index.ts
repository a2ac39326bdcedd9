/**
 * `ballast/interactions` (in progress, issue 6): backoff as pure functions, retry budgets shared by
 * all calls of an interaction, and a circuit breaker. Deadlines, bulkheads, declared interactions
 * and `ballast doctor` follow.
 */
export { DEFAULT_BACKOFF, decorrelatedJitterSeconds, equalJitterSeconds, exponentialSeconds, fullJitterSeconds, type BackoffOptions } from './backoff.js';
export { RatioBudget, TokenBucketBudget, type RatioBudgetOptions, type RetryBudget, type RetryCause, type RetryGrant, type TokenBucketOptions } from './budget.js';
export { CircuitBreaker, type BreakerSnapshot, type BreakerState, type BreakerTicket, type BreakerTrigger, type CircuitBreakerOptions } from './breaker.js';
export { Deadline, DEADLINE_HEADER, MAX_DEADLINE_MS } from './deadline.js';
export { Bulkhead, type BulkheadOptions } from './bulkhead.js';
export { currentDeadline, deadlineMiddleware, fetchWithDeadline, honoDeadline, withDeadline, type DeadlineMiddlewareOptions } from './deadline-http.js';
