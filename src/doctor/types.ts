/**
 * The topology `ballast doctor` checks, as validated from a file (docs/doctor.md) and, with
 * `--server`, merged with what a running `ballast serve` reports. Every element carries `place`:
 * the JSON path (or server address) and name findings point at.
 */

/** Synchronous under a deadline, or acknowledged at once and completed later. */
export type InteractionKind = 'hard-real-time' | 'soft-real-time';

/** How a retry waits: `defineInteraction`'s `BackoffKind`s (the AWS Architecture Blog's jitter variants and none), plus constant. */
export type BackoffStrategy =
  'none' | 'constant' | 'exponential' | 'full-jitter' | 'equal-jitter' | 'decorrelated-jitter';

/** A backoff between attempts; worst cases use each strategy's upper bound. */
export interface BackoffSpec {
  readonly strategy: BackoffStrategy;
  /** First retry's delay (its ceiling, with jitter), ms. */
  readonly baseMs: number;
  /** Largest delay, ms. */
  readonly capMs: number;
}

/** A retry budget shared by the calls of one interaction (`TokenBucketBudget` or `RatioBudget`). */
export type BudgetSpec =
  | { readonly kind: 'token-bucket'; readonly capacity: number; readonly retryCost: number }
  | { readonly kind: 'ratio'; readonly ratio: number; readonly minRetriesPerSecond: number };

/** How many times one caller tries a call, and how. */
export interface RetrySpec {
  /** Attempts in all, the first included (1 = no retries). */
  readonly maxAttempts: number;
  readonly budget?: BudgetSpec;
  readonly backoff?: BackoffSpec;
}

/** Where an element came from: the file, the server, or the file with the server's settings. */
export type Origin = 'file' | 'server' | 'file+server';

/** Something findings can point at. */
export interface Located {
  /** JSON path and name (`queues[0] "orders"`), or the server address of a server-only element. */
  readonly place: string;
}

/** An operation a service offers, and how its callers call it by default. */
export interface Interaction extends Located {
  readonly name: string;
  /** The service that serves it. */
  readonly service?: string;
  readonly kind: InteractionKind;
  /** Time the interaction has to answer (it fails then, as `deadlineMiddleware` does), ms. */
  readonly deadlineMs?: number;
  /** Default per-attempt timeout of calls to it, ms. */
  readonly attemptTimeoutMs?: number;
  /** Default retries of calls to it; for an entry interaction, the outside client's. */
  readonly retry?: RetrySpec;
  /** Whether running it twice has the effect of running it once. */
  readonly idempotent: boolean;
  /** Age past which a soft real-time request is dropped as stale, ms. */
  readonly maxAgeMs?: number;
  /** Its own processing time, apart from the calls it makes, ms. */
  readonly workMs?: number;
  /** Whether its calls run in parallel (worst case = the slowest) instead of one after another. */
  readonly parallelCalls: boolean;
}

/** One caller → callee edge: `from` (a service) calls interaction `to`. */
export interface Call extends Located {
  readonly from: string;
  readonly to: string;
  /** The interactions of `from` whose handling makes this call; undefined = all of them. */
  readonly during?: readonly string[];
  readonly mode: 'sync' | 'async';
  /** Per-attempt timeout, ms; falls back to the callee's `attemptTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Retries at this layer; falls back to the callee's `retry`. */
  readonly retry?: RetrySpec;
  /** Overrides the callee's `idempotent` (e.g. the caller sends an idempotency key). */
  readonly idempotent?: boolean;
}

/** A service and the calls it makes. */
export interface Service extends Located {
  readonly name: string;
  readonly calls: readonly Call[];
}

/** A queue's dead-letter queue and how many receives send a message there. */
export interface DeadLetterSpec {
  readonly queue: string;
  readonly maxReceiveCount: number;
}

/** An SQS-semantics queue. */
export interface Queue extends Located {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly deadLetter?: DeadLetterSpec;
  /** Declared a dead-letter queue (queues other queues or targets send to are found without it). */
  readonly isDeadLetterQueue: boolean;
  readonly origin: Origin;
}

/** Where a bus target delivers. */
export interface Destination {
  readonly kind: 'queue' | 'function' | 'endpoint';
  readonly name: string;
}

/** A rule's target: where matched events go, with its retry policy and DLQ. */
export interface Target extends Located {
  readonly id: string;
  readonly rule: string;
  readonly bus: string;
  readonly destination: Destination;
  /** Retries after the first delivery attempt (EventBridge: 0–185, default 185). */
  readonly maximumRetryAttempts: number;
  /** Age past which an event is no longer retried, seconds (60–86,400, default 86,400). */
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterQueue?: string;
  readonly origin: Origin;
}

/** An event-bus rule and its targets. */
export interface Rule extends Located {
  readonly name: string;
  readonly bus: string;
  readonly targets: readonly Target[];
  readonly origin: Origin;
}

/** Code that handles deliveries from a queue or a bus target (both at least once). */
export interface Consumer extends Located {
  readonly name: string;
  readonly queue?: string;
  readonly rule?: string;
  readonly target?: string;
  readonly bus: string;
  readonly idempotent: boolean;
  /** Longest a handler may run, seconds. */
  readonly handlerTimeoutSeconds?: number;
  /** Whether it extends the visibility of long jobs while they run. */
  readonly heartbeat: boolean;
  /** Visibility it asks for on receive, seconds; undefined = the queue's. */
  readonly visibilityTimeoutSeconds?: number;
}

/** A fleet health checker. */
export interface HealthMonitor extends Located {
  readonly name: string;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly healthyThreshold?: number;
  readonly unhealthyThreshold?: number;
  readonly failOpen: boolean;
  /** Below this share of healthy endpoints, all are used (Envoy's panic threshold), percent. */
  readonly panicThresholdPercent?: number;
}

/** A distribution of state (config, health) from a publisher to many consumers. */
export interface StatePush extends Located {
  readonly name: string;
  readonly kind: 'config' | 'health' | 'other';
  readonly mode: 'full-snapshot' | 'delta';
  /** Push interval, ms; undefined = pushed only when something changes. */
  readonly everyMs?: number;
  /** For deltas: interval of a full resynchronisation, ms. */
  readonly resyncEveryMs?: number;
}

/** A whole system as the doctor sees it. */
export interface Topology {
  readonly name?: string;
  readonly interactions: readonly Interaction[];
  readonly services: readonly Service[];
  readonly queues: readonly Queue[];
  readonly rules: readonly Rule[];
  readonly consumers: readonly Consumer[];
  readonly healthMonitors: readonly HealthMonitor[];
  readonly statePushes: readonly StatePush[];
}

/** A topology with nothing in it (what `--server` alone starts from). */
export const EMPTY_TOPOLOGY: Topology = Object.freeze({
  interactions: [],
  services: [],
  queues: [],
  rules: [],
  consumers: [],
  healthMonitors: [],
  statePushes: [],
});
