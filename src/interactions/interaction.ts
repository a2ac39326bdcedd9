import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../resilience/breaker.js';
import { Bulkhead, type BulkheadOptions } from '../resilience/bulkhead.js';
import { MAX_DEADLINE_MS } from '../resilience/deadline.js';
import { HardRealTimeInteraction, type EndpointPicker } from './hard-real-time.js';
import { resolveRetry, type RetryOptions } from '../resilience/retry-policy.js';
import { SoftRealTimeInteraction, type SoftRealTimeHost } from './soft-real-time.js';
import { describeValue } from '../core/describe-value.js';

/** A synchronous interaction: a caller waits, a deadline rules. */
export interface HardRealTimeOptions<F = never> {
  /** Names it in errors, stats and `ballast doctor` (1–128 of `A–Z a–z 0–9 . _ : / -`). */
  name: string;
  kind: 'hard-real-time';
  /** The whole call's budget, ms (1–86,400,000): required — no call waits forever. */
  deadlineMs: number;
  /** Each attempt's own limit, ms (1–deadlineMs), so a slow first attempt leaves time for a retry. @defaultValue the time left */
  attemptTimeoutMs?: number;
  /** The operation can be applied more than once with one effect (an idempotency key); needed for retries. @defaultValue false */
  idempotent?: boolean;
  /** Retries (only when `idempotent`). @defaultValue 3 attempts, full jitter 25 ms → 1 s, token-bucket budget */
  retry?: RetryOptions;
  /**
   * Fail fast while the dependency fails: options, a shared `CircuitBreaker`, or `false`.
   * @defaultValue opens when ≥ 50 % of at least 20 first attempts in the last 2 s failed; open for 0.5 s, then one trial call
   */
  breaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** Limit calls in flight (and waiting): options or a shared `Bulkhead`. @defaultValue none */
  bulkhead?: BulkheadOptions | Bulkhead;
  /** The answer when the call fails (not when the caller aborts): a cached or degraded value. @defaultValue none */
  fallback?: (error: unknown) => F | Promise<F>;
  /** Picks the endpoint of each attempt (a `LoadBalancer` from `ballast/health`); passed as `context.endpoint`. */
  balancer?: EndpointPicker;
  clock?: Clock;
  /** Random source for jitter (tests, benchmarks). @defaultValue Math.random */
  random?: () => number;
}

/** An asynchronous interaction: acknowledged once durably registered, completed later. */
export interface SoftRealTimeOptions {
  /** Names it, its queue and its records (1–64 of `A–Z a–z 0–9 . _ -`). */
  name: string;
  kind: 'soft-real-time';
  /** The open Ballast (SQLite or PostgreSQL store) whose queue and records it uses. */
  ballast: SoftRealTimeHost;
  /** Requests older than this when their turn comes are dropped, not processed, ms (1,000–1,209,600,000): required. */
  maxAgeMs: number;
  /** The queue requests wait in. @defaultValue `interaction-<name>` (dots become dashes) */
  queue?: string;
  /** Tries of a request before it is recorded `failed` (1–100). @defaultValue 5 */
  maxAttempts?: number;
  /** How long an operation's status is kept, seconds (> maxAgeMs, ≤ 1,209,600). @defaultValue 86,400 */
  resultTtlSeconds?: number;
  /** How long a handler may hold a request before another node may take it over, seconds (1–43,200); extended while it runs. @defaultValue 30 */
  visibilityTimeoutSeconds?: number;
  /** Largest request (JSON, with its envelope), bytes (≤ 1,048,576). @defaultValue 262,144 */
  maxPayloadBytes?: number;
}

/**
 * A failure share, not a streak: an overloaded dependency answers its 503s at once while its
 * successes take time, so failures arrive in runs even when most calls succeed — measured, a
 * 5-in-a-row breaker opened on a dependency still serving 64 % and cut successes to a third.
 * Over 2 s, not 10: a long healthy history kept a 10 s window closed for 3 s of total failure.
 */
const DEFAULT_TRIGGER = {
  kind: 'sampling',
  threshold: 0.5,
  windowMs: 2_000,
  minCalls: 20,
} as const;

const HARD_KEYS = [
  'name',
  'kind',
  'deadlineMs',
  'attemptTimeoutMs',
  'idempotent',
  'retry',
  'breaker',
  'bulkhead',
  'fallback',
  'balancer',
  'clock',
  'random',
];
const SOFT_KEYS = [
  'name',
  'kind',
  'ballast',
  'maxAgeMs',
  'queue',
  'maxAttempts',
  'resultTtlSeconds',
  'visibilityTimeoutSeconds',
  'maxPayloadBytes',
];
const RETRY_KEYS = ['maxAttempts', 'backoff', 'baseMs', 'capMs', 'budget', 'retryOn'];

/**
 * Declares an interaction and what kind it is (REL04-BP01); the kind decides its behaviour.
 * Invalid declarations fail here, with `InvalidParameterValue` naming the option.
 */
export function defineInteraction<F = never>(
  options: HardRealTimeOptions<F>,
): HardRealTimeInteraction<F>;
export function defineInteraction<P = unknown, R = unknown>(
  options: SoftRealTimeOptions,
): SoftRealTimeInteraction<P, R>;
export function defineInteraction(
  options: HardRealTimeOptions<unknown> | SoftRealTimeOptions,
): HardRealTimeInteraction<unknown> | SoftRealTimeInteraction {
  if (typeof options !== 'object' || options === null)
    throw new BallastError('InvalidParameterValue', 'defineInteraction needs an options object');
  const name: unknown = options.name;
  const kind: unknown = options.kind;
  if (kind === 'hard-real-time')
    return defineHard(
      checkName(name, 128, /^[A-Za-z0-9._:/-]+$/),
      options as HardRealTimeOptions<unknown>,
    );
  if (kind === 'soft-real-time')
    return defineSoft(checkName(name, 64, /^[A-Za-z0-9._-]+$/), options as SoftRealTimeOptions);
  throw new BallastError(
    'InvalidParameterValue',
    `interaction ${describeValue(name)}: kind must be 'hard-real-time' (a caller waits under a deadline) or 'soft-real-time' (acknowledged on registration, completed later); got ${describeValue(kind)}`,
  );
}

function checkName(name: unknown, max: number, pattern: RegExp): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > max || !pattern.test(name)) {
    throw new BallastError(
      'InvalidParameterValue',
      `an interaction needs a name of 1–${max} characters matching ${String(pattern)} (got ${describeValue(name)})`,
    );
  }
  return name;
}

/** Throws for an option this kind does not have (naming the kind it belongs to, if any). */
function checkKeys(
  name: string,
  options: object,
  allowed: readonly string[],
  other: readonly string[],
  where = '',
): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const hint = other.includes(key)
      ? ` (it is an option of ${allowed === HARD_KEYS ? 'soft' : 'hard'}-real-time interactions)`
      : '';
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": unknown option ${where}${key}${hint}`,
    );
  }
}

function bounded(name: string, option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": ${option} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got ${describeValue(value)})`,
    );
  }
  return value;
}

function defineHard(
  name: string,
  o: HardRealTimeOptions<unknown>,
): HardRealTimeInteraction<unknown> {
  checkKeys(name, o, HARD_KEYS, SOFT_KEYS);
  if (o.deadlineMs === undefined) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": a hard-real-time interaction needs deadlineMs (its whole budget, ms): no call may wait forever`,
    );
  }
  const deadlineMs = bounded(name, 'deadlineMs', o.deadlineMs, 1, MAX_DEADLINE_MS);
  const attemptTimeoutMs =
    o.attemptTimeoutMs === undefined
      ? undefined
      : bounded(name, 'attemptTimeoutMs', o.attemptTimeoutMs, 1, deadlineMs);
  if (o.idempotent !== undefined && typeof o.idempotent !== 'boolean')
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": idempotent must be true or false`,
    );
  if (o.retry !== undefined) {
    if (typeof o.retry !== 'object' || o.retry === null)
      throw new BallastError(
        'InvalidParameterValue',
        `interaction "${name}": retry must be an object`,
      );
    checkKeys(name, o.retry, RETRY_KEYS, [], 'retry.');
  }
  const clock = o.clock ?? systemClock;
  const random = o.random ?? Math.random;
  if (typeof clock?.now !== 'function' || typeof clock.sleep !== 'function')
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": clock must have now() and sleep(ms, signal)`,
    );
  if (typeof random !== 'function')
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": random must be a function returning [0, 1)`,
    );
  const retry = resolveRetry(name, o.idempotent ?? false, o.retry, clock, random);
  if (o.fallback !== undefined && typeof o.fallback !== 'function')
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": fallback must be a function`,
    );
  if (o.balancer !== undefined && typeof o.balancer?.acquire !== 'function')
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": balancer must have acquire() (a LoadBalancer)`,
    );
  const breaker =
    o.breaker === false
      ? undefined
      : o.breaker instanceof CircuitBreaker
        ? o.breaker
        : part(
            name,
            'breaker',
            o.breaker ?? {},
            BREAKER_KEYS,
            (given) =>
              new CircuitBreaker({ trigger: DEFAULT_TRIGGER, openMs: 500, clock, ...given }),
          );
  const bulkhead =
    o.bulkhead === undefined
      ? undefined
      : o.bulkhead instanceof Bulkhead
        ? o.bulkhead
        : part(
            name,
            'bulkhead',
            o.bulkhead,
            BULKHEAD_KEYS,
            (given) => new Bulkhead(given as unknown as BulkheadOptions),
          );
  return new HardRealTimeInteraction({
    name,
    deadlineMs,
    attemptTimeoutMs,
    idempotent: o.idempotent ?? false,
    retry,
    breaker,
    bulkhead,
    fallback: o.fallback,
    balancer: o.balancer,
    clock,
  });
}

const BREAKER_KEYS = ['trigger', 'openMs', 'halfOpenCalls', 'clock'];
const BULKHEAD_KEYS = ['concurrency', 'queue'];

/** Builds an option object's part (breaker, bulkhead): unknown keys refused, `undefined` values left to the defaults, errors named by the option. */
function part<T>(
  name: string,
  option: string,
  given: unknown,
  keys: readonly string[],
  make: (given: Record<string, unknown>) => T,
): T {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": ${option} must be an options object${option === 'breaker' ? ', a CircuitBreaker or false' : ' or a Bulkhead'} (got ${describeValue(given)})`,
    );
  }
  checkKeys(name, given, keys, [], `${option}.`);
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  try {
    return make(defined);
  } catch (error) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": ${option}.${(error as Error).message}`,
    );
  }
}

function defineSoft(name: string, o: SoftRealTimeOptions): SoftRealTimeInteraction {
  checkKeys(name, o, SOFT_KEYS, HARD_KEYS);
  const host = o.ballast;
  if (
    typeof host !== 'object' ||
    host === null ||
    !host.queues ||
    !host.store?.idempotency ||
    !host.clock
  ) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": a soft-real-time interaction needs ballast (an open Ballast: openBallast())`,
    );
  }
  if (o.maxAgeMs === undefined) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": a soft-real-time interaction needs maxAgeMs — how old a request may be and still be worth processing (stale requests are dropped)`,
    );
  }
  const maxAgeMs = bounded(name, 'maxAgeMs', o.maxAgeMs, 1_000, 1_209_600_000);
  const resultTtlSeconds = bounded(
    name,
    'resultTtlSeconds',
    o.resultTtlSeconds ?? Math.max(86_400, Math.ceil(maxAgeMs / 1000) + 3_600),
    1,
    1_209_600,
  );
  if (resultTtlSeconds * 1000 <= maxAgeMs) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": resultTtlSeconds (${resultTtlSeconds}) must be longer than maxAgeMs (${maxAgeMs} ms), or a request could outlive its own status`,
    );
  }
  const queue = o.queue ?? `interaction-${name.replaceAll('.', '-')}`;
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_-]{1,76}$/.test(queue)) {
    throw new BallastError(
      'InvalidParameterValue',
      `interaction "${name}": queue must be 1–76 of A–Z a–z 0–9 _ - (its DLQ adds "-dlq"); got ${describeValue(queue)}`,
    );
  }
  return new SoftRealTimeInteraction({
    name,
    host,
    queue,
    maxAgeMs,
    maxAttempts: bounded(name, 'maxAttempts', o.maxAttempts ?? 5, 1, 100),
    resultTtlSeconds,
    visibilityTimeoutSeconds: bounded(
      name,
      'visibilityTimeoutSeconds',
      o.visibilityTimeoutSeconds ?? 30,
      1,
      43_200,
    ),
    maxPayloadBytes: bounded(name, 'maxPayloadBytes', o.maxPayloadBytes ?? 262_144, 64, 1_048_576),
  });
}
