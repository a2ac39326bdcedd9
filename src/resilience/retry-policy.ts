import { BallastError, isBallastError } from '../core/errors.js';
import {
  decorrelatedJitterSeconds,
  equalJitterSeconds,
  exponentialSeconds,
  fullJitterSeconds,
} from '../core/backoff.js';
import { RatioBudget, TokenBucketBudget, type RetryBudget } from './budget.js';
import type { Clock } from '../core/clock.js';
import { describeValue } from '../core/describe-value.js';

/** How the wait before a retry grows. */
export type BackoffKind =
  'full-jitter' | 'equal-jitter' | 'decorrelated-jitter' | 'exponential' | 'none';

/** Retry settings of a hard-real-time interaction. */
export interface RetryOptions {
  /** Attempts per call, the first included (1–10); above 1 needs `idempotent: true`. @defaultValue 3 when idempotent, else 1 */
  maxAttempts?: number;
  /** @defaultValue 'full-jitter' */
  backoff?: BackoffKind;
  /** First retry's ceiling, ms (0–60,000). @defaultValue 25 */
  baseMs?: number;
  /** Longest wait, ms (baseMs–300,000). @defaultValue 1,000 */
  capMs?: number;
  /**
   * Shared by every call of the interaction: `'token-bucket'` (the AWS SDKs' quota), `'ratio'`
   * (20 % of requests + 10/s), your own `RetryBudget`, or `'none'` (unbounded — `ballast doctor` flags it).
   * @defaultValue 'token-bucket'
   */
  budget?: 'token-bucket' | 'ratio' | 'none' | RetryBudget;
  /** Which errors are worth another attempt. @defaultValue `isRetryable` (not 4xx-like errors, except 408 and 429) */
  retryOn?: (error: unknown) => boolean;
}

/** Resolved retry settings. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly budget: RetryBudget | undefined;
  readonly retryOn: (error: unknown) => boolean;
  /** Wait before retry `retry` (1 = first retry), ms; `previousMs` is the last wait (decorrelated jitter). */
  delayMs(retry: number, previousMs: number): number;
}

const UNLIMITED: RetryBudget = {
  recordRequest() {},
  tryRetry: () => ({ cost: 0 }),
  recordSuccess() {},
};

/**
 * Whether an error is worth retrying: errors that say the request itself was wrong (HTTP-like
 * `status`/`statusCode` 4xx other than 408 and 429, Ballast errors with a 4xx status, or
 * `retryable: false`) are not; everything else — network errors, 5xx, timeouts — is.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const e = error as { retryable?: unknown; status?: unknown; statusCode?: unknown };
  if (e.retryable === false) return false;
  if (e.retryable === true) return true;
  if (isBallastError(error)) return error.shape.status >= 500 || error.shape.status === 429;
  const status =
    typeof e.status === 'number'
      ? e.status
      : typeof e.statusCode === 'number'
        ? e.statusCode
        : undefined;
  if (status === undefined) return true;
  return !(status >= 400 && status < 500) || status === 408 || status === 429;
}

/** Resolves and checks retry options (definition-time errors name the interaction). */
export function resolveRetry(
  name: string,
  idempotent: boolean,
  options: RetryOptions | undefined,
  clock: Clock,
  random: () => number,
): RetryPolicy {
  const bad = (m: string): never => {
    throw new BallastError('InvalidParameterValue', `interaction "${name}": ${m}`);
  };
  const o = options ?? {};
  const maxAttempts = o.maxAttempts ?? (idempotent ? 3 : 1);
  if (
    typeof maxAttempts !== 'number' ||
    !Number.isInteger(maxAttempts) ||
    maxAttempts < 1 ||
    maxAttempts > 10
  )
    bad(`retry.maxAttempts must be an integer from 1 to 10 (got ${describeValue(maxAttempts)})`);
  if (maxAttempts > 1 && !idempotent) {
    bad(
      `retry.maxAttempts is ${maxAttempts} but the interaction is not declared idempotent: a retried call could apply its effect twice. Make the operation idempotent (an idempotency key) and declare idempotent: true, or use maxAttempts: 1`,
    );
  }
  const baseMs = o.baseMs ?? 25;
  const capMs = o.capMs ?? Math.max(1_000, baseMs);
  if (typeof baseMs !== 'number' || !Number.isFinite(baseMs) || baseMs < 0 || baseMs > 60_000)
    bad(`retry.baseMs must be a number from 0 to 60,000 ms (got ${describeValue(baseMs)})`);
  if (typeof capMs !== 'number' || !Number.isFinite(capMs) || capMs < baseMs || capMs > 300_000)
    bad(
      `retry.capMs must be a number from retry.baseMs (${describeValue(baseMs)}) to 300,000 ms (got ${describeValue(capMs)})`,
    );
  const kind = o.backoff ?? 'full-jitter';
  const seconds = { baseSeconds: baseMs / 1000, maxSeconds: capMs / 1000 };
  const delays: Record<BackoffKind, (retry: number, previousMs: number) => number> = {
    'full-jitter': (n) => 1000 * fullJitterSeconds(n, seconds, random),
    'equal-jitter': (n) => 1000 * equalJitterSeconds(n, seconds, random),
    'decorrelated-jitter': (_n, prev) =>
      1000 * decorrelatedJitterSeconds(Math.max(prev, baseMs) / 1000, seconds, random),
    exponential: (n) => 1000 * exponentialSeconds(n, seconds),
    none: () => 0,
  };
  const delayMs = Object.hasOwn(delays, kind)
    ? delays[kind]
    : bad(
        `retry.backoff must be one of ${Object.keys(delays).join(', ')} (got ${describeValue(kind)})`,
      );
  const b = o.budget ?? 'token-bucket';
  let budget: RetryBudget | undefined;
  if (b === 'token-bucket') budget = new TokenBucketBudget();
  else if (b === 'ratio') budget = new RatioBudget({ clock });
  else if (b === 'none') budget = UNLIMITED;
  else if (typeof b === 'object' && b !== null && typeof b.tryRetry === 'function') budget = b;
  else
    bad(
      `retry.budget must be 'token-bucket', 'ratio', 'none' or a RetryBudget (got ${describeValue(b)})`,
    );
  if (o.retryOn !== undefined && typeof o.retryOn !== 'function')
    bad('retry.retryOn must be a function');
  return {
    maxAttempts,
    budget: maxAttempts > 1 ? budget : undefined,
    retryOn: o.retryOn ?? isRetryable,
    delayMs,
  };
}
