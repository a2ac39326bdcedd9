import { describeValue } from '../core/describe-value.js';
import { type Clock, systemClock } from '../core/clock.js';
import { SlidingCounts } from './sliding-counts.js';
import { BallastError } from '../core/errors.js';

/** Why a call is being retried: a timeout (or transient failure) costs more of the budget. */
export type RetryCause = 'error' | 'timeout';

/** Permission for one retry; hand it back to `recordSuccess` if the retried call succeeds. */
export interface RetryGrant {
  readonly cost: number;
}

/**
 * A retry budget shared by all calls of an interaction: every call is recorded, and a retry
 * happens only when the budget grants it — so retries cannot multiply load on a failing
 * dependency (3 retries at each of 5 layers is 3⁵ = 243× without one).
 */
export interface RetryBudget {
  /** A call's first attempt is going out (the first attempt is never refused). */
  recordRequest(): void;
  /** Asks for one retry; undefined = the budget is spent, do not retry. */
  tryRetry(cause: RetryCause): RetryGrant | undefined;
  /** A call succeeded; with the grant of the retry that succeeded, when it was one. */
  recordSuccess(grant?: RetryGrant): void;
}

/** Options of `TokenBucketBudget` (defaults: the AWS SDKs' "standard" retry quota). */
export interface TokenBucketOptions {
  /** Tokens at the start, and the most there can be. @defaultValue 500 */
  capacity?: number;
  /** Tokens a retry after an error takes. @defaultValue 5 */
  retryCost?: number;
  /** Tokens a retry after a timeout takes. @defaultValue 10 */
  timeoutRetryCost?: number;
  /** Tokens a success on the first attempt gives back. @defaultValue 1 */
  successIncrement?: number;
}

/**
 * The AWS SDKs' retry quota: 500 tokens; a retry takes 5 (10 after a timeout); a retry that
 * succeeds gives its tokens back; a first-try success adds 1. Empty → no retries until
 * successes refill it. 500 tokens = 100 retries in a row of failures (50 after timeouts).
 */
export class TokenBucketBudget implements RetryBudget {
  #tokens: number;
  readonly #o: Required<TokenBucketOptions>;

  constructor(options: TokenBucketOptions = {}) {
    this.#o = {
      capacity: 500,
      retryCost: 5,
      timeoutRetryCost: 10,
      successIncrement: 1,
      ...options,
    };
    for (const [name, v] of Object.entries(this.#o)) {
      if (!Number.isInteger(v) || v < 0 || v > 1_000_000)
        throw new BallastError(
          'InvalidParameterValue',
          `${name} must be an integer from 0 to 1,000,000 (got ${describeValue(v)})`,
        );
    }
    this.#tokens = this.#o.capacity;
  }

  /** Tokens left. */
  get tokens(): number {
    return this.#tokens;
  }

  recordRequest(): void {}

  tryRetry(cause: RetryCause): RetryGrant | undefined {
    const cost = cause === 'timeout' ? this.#o.timeoutRetryCost : this.#o.retryCost;
    if (this.#tokens < cost) return undefined;
    this.#tokens -= cost;
    return { cost };
  }

  recordSuccess(grant?: RetryGrant): void {
    this.#tokens = Math.min(
      this.#o.capacity,
      this.#tokens + (grant ? grant.cost : this.#o.successIncrement),
    );
  }
}

/** Options of `RatioBudget` (defaults: Finagle's and Linkerd's). */
export interface RatioBudgetOptions {
  /** Retries allowed per request in the window. @defaultValue 0.2 */
  ratio?: number;
  /** Retries allowed per second whatever the traffic (so a quiet client can still retry). @defaultValue 10 */
  minRetriesPerSecond?: number;
  /** The window requests and retries are counted over, seconds (1–60). @defaultValue 10 */
  ttlSeconds?: number;
  clock?: Clock;
}

/**
 * Retries ≤ `ratio` × requests + `minRetriesPerSecond` × `ttlSeconds`, counted over the last
 * `ttlSeconds` (one-second buckets): under 100 % failure, downstream calls stay within
 * (1 + ratio) × requests plus the floor.
 */
export class RatioBudget implements RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  /** a = requests, b = retries, in one-second buckets. */
  readonly #window: SlidingCounts;

  constructor(options: RatioBudgetOptions = {}) {
    const ratio = options.ratio ?? 0.2;
    const perSecond = options.minRetriesPerSecond ?? 10;
    const ttl = options.ttlSeconds ?? 10;
    if (!(ratio >= 0 && ratio <= 10))
      throw new BallastError('InvalidParameterValue', `ratio must be from 0 to 10 (got ${ratio})`);
    if (!(perSecond >= 0 && perSecond <= 100_000))
      throw new BallastError(
        'InvalidParameterValue',
        `minRetriesPerSecond must be from 0 to 100,000 (got ${perSecond})`,
      );
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 60)
      throw new BallastError(
        'InvalidParameterValue',
        `ttlSeconds must be an integer from 1 to 60 (got ${ttl})`,
      );
    this.#ratio = ratio;
    this.#floor = perSecond * ttl;
    this.#window = new SlidingCounts(ttl, 1_000, options.clock ?? systemClock);
  }

  recordRequest(): void {
    this.#window.add('a');
  }

  tryRetry(): RetryGrant | undefined {
    const { a: requests, b: retries } = this.#window.sums();
    if (retries + 1 > this.#ratio * requests + this.#floor) return undefined;
    this.#window.add('b');
    return { cost: 1 };
  }

  recordSuccess(): void {}
}
