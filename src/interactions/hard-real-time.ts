import type { Clock } from '../core/clock.js';
import { BallastError, isBallastError } from '../core/errors.js';
import type { BreakerTicket, CircuitBreaker } from '../resilience/breaker.js';
import type { Bulkhead } from '../resilience/bulkhead.js';
import type { RetryGrant } from '../resilience/budget.js';
import { Deadline } from '../resilience/deadline.js';
import { currentDeadline, withDeadline } from '../resilience/http/deadline-http.js';
import type { RetryPolicy } from '../resilience/retry-policy.js';

/** What each attempt of a hard-real-time call is given. */
export interface AttemptContext {
  /** Aborts when this attempt's time is up, the call's deadline passes, or the caller gives up: stop the work. */
  readonly signal: AbortSignal;
  /** This attempt's deadline (inside the call's); `fetchWithDeadline` inside the attempt inherits it. */
  readonly deadline: Deadline;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The endpoint the load balancer chose for this attempt, when the interaction has one. */
  readonly endpoint: string | undefined;
}

/** Options of one call. */
export interface CallOptions {
  /** The caller giving up: aborts the attempt in flight; no retry, no fallback. */
  signal?: AbortSignal;
  /** A deadline to stay inside (default: the current request's, from the deadline middleware); the call's own is never later. */
  deadline?: Deadline;
}

/** Counters of one interaction since it was defined (for metrics). */
export interface InteractionStats {
  calls: number;
  succeeded: number;
  failed: number;
  attempts: number;
  retries: number;
  /** Retries the budget refused. */
  retriesRefused: number;
  /** Attempts refused by the open circuit (nothing called). */
  shortCircuited: number;
  /** Attempts cut off by their own timeout. */
  attemptTimeouts: number;
  /** Calls that ran out of their deadline. */
  deadlineExceeded: number;
  /** Calls refused by the full bulkhead. */
  bulkheadRejected: number;
  /** Calls answered by the fallback. */
  fallbacks: number;
}

/** A client-side load balancer (`LoadBalancer` from `ballast/health`, or anything with `acquire`). */
export interface EndpointPicker {
  acquire(): { readonly id: string; release(): void };
}

/** Everything a hard-real-time interaction runs with, resolved and checked at definition. */
export interface HardRealTimeSettings<F> {
  readonly name: string;
  readonly deadlineMs: number;
  readonly attemptTimeoutMs: number | undefined;
  readonly idempotent: boolean;
  readonly retry: RetryPolicy;
  readonly breaker: CircuitBreaker | undefined;
  readonly bulkhead: Bulkhead | undefined;
  readonly fallback: ((error: unknown) => F | Promise<F>) | undefined;
  readonly balancer: EndpointPicker | undefined;
  readonly clock: Clock;
}

/**
 * Settles with `work`, or rejects first when `own` ends (`onTimeout` is told) or the caller
 * aborts; the work itself may ignore its signal. Listens to the deadline without an AbortSignal:
 * a fast call never makes one. Every listener is removed however it ends.
 */
function settleBefore<T>(
  work: Promise<T>,
  own: Deadline,
  caller: AbortSignal | undefined,
  onTimeout: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (caller?.aborted) return reject(caller.reason as Error);
    let offCaller: (() => void) | undefined;
    const offOwn = own.onEnd(() => {
      offCaller?.();
      onTimeout();
      reject(new BallastError('DeadlineExceeded', 'the deadline passed before the work finished'));
    });
    if (caller) {
      const onAbort = () => {
        offOwn();
        reject(caller.reason as Error);
      };
      caller.addEventListener('abort', onAbort, { once: true });
      offCaller = () => caller.removeEventListener('abort', onAbort);
    }
    work.then(
      (v) => {
        offOwn();
        offCaller?.();
        resolve(v);
      },
      (e: unknown) => {
        offOwn();
        offCaller?.();
        reject(e as Error);
      },
    );
  });
}

/**
 * A synchronous interaction under a deadline (REL04-BP01). The composition, outermost first:
 * fallback → deadline → bulkhead → retries (budget, backoff) → circuit breaker → attempt timeout
 * → load balancer → your function. Retries only when declared idempotent; never past the deadline.
 */
export class HardRealTimeInteraction<F = never> {
  readonly kind = 'hard-real-time' as const;
  readonly #s: HardRealTimeSettings<F>;
  readonly #stats: InteractionStats = {
    calls: 0,
    succeeded: 0,
    failed: 0,
    attempts: 0,
    retries: 0,
    retriesRefused: 0,
    shortCircuited: 0,
    attemptTimeouts: 0,
    deadlineExceeded: 0,
    bulkheadRejected: 0,
    fallbacks: 0,
  };

  /** @internal use `defineInteraction` */
  constructor(settings: HardRealTimeSettings<F>) {
    this.#s = settings;
  }

  /** The interaction's name. */
  get name(): string {
    return this.#s.name;
  }

  /** The whole call's budget, ms. */
  get deadlineMs(): number {
    return this.#s.deadlineMs;
  }

  /** The circuit breaker (state, snapshot), when it has one. */
  get breaker(): CircuitBreaker | undefined {
    return this.#s.breaker;
  }

  /** A copy of the counters. */
  stats(): InteractionStats {
    return { ...this.#stats };
  }

  /**
   * Calls `fn` under the interaction's rules: its value, the fallback's, or a typed error —
   * `DeadlineExceeded` (504), `CircuitOpen` (503), `LimitExceededException` (bulkhead full),
   * or the last attempt's own error.
   */
  async call<T>(
    fn: (context: AttemptContext) => Promise<T> | T,
    options: CallOptions = {},
  ): Promise<T | F> {
    const s = this.#s;
    this.#stats.calls++;
    const parent = options.deadline ?? currentDeadline();
    const deadline = parent ? parent.child(s.deadlineMs) : Deadline.after(s.deadlineMs, s.clock);
    try {
      const value = s.bulkhead
        ? await this.#bulkhead(
            s.bulkhead,
            () => this.#attempts(fn, deadline, options.signal),
            options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal,
          )
        : await this.#attempts(fn, deadline, options.signal);
      this.#stats.succeeded++;
      return value;
    } catch (error) {
      this.#stats.failed++;
      if (isBallastError(error) && error.code === 'DeadlineExceeded' && deadline.expired)
        this.#stats.deadlineExceeded++;
      if (!s.fallback || options.signal?.aborted) throw error;
      this.#stats.fallbacks++;
      return s.fallback(error);
    } finally {
      deadline.dispose();
    }
  }

  async #bulkhead<T>(bulkhead: Bulkhead, run: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await bulkhead.execute(run, signal);
    } catch (error) {
      if (isBallastError(error) && error.code === 'LimitExceededException')
        this.#stats.bulkheadRejected++;
      throw error;
    }
  }

  async #attempts<T>(
    fn: (context: AttemptContext) => Promise<T> | T,
    deadline: Deadline,
    callerSignal: AbortSignal | undefined,
  ): Promise<T> {
    const s = this.#s;
    const budget = s.retry.budget;
    budget?.recordRequest();
    let grant: RetryGrant | undefined;
    let lastDelay = 0;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      if (callerSignal?.aborted) throw callerSignal.reason as Error;
      if (deadline.expired) throw this.#deadlineError(attempt, lastError);
      let ticket: BreakerTicket | undefined;
      try {
        ticket = s.breaker?.acquire();
      } catch (error) {
        this.#stats.shortCircuited++;
        if (lastError !== undefined)
          throw new BallastError(
            'CircuitOpen',
            `interaction "${s.name}": the circuit opened during retries`,
            { cause: lastError },
          );
        throw error;
      }
      const outcome = await this.#attempt(fn, attempt, deadline, callerSignal, ticket);
      if (outcome.ok) {
        budget?.recordSuccess(grant);
        return outcome.value;
      }
      lastError = outcome.error;
      if (callerSignal?.aborted || outcome.final || attempt >= s.retry.maxAttempts) throw lastError;
      const delay = s.retry.delayMs(attempt, lastDelay);
      // A retry that cannot finish before the deadline only adds load.
      if (delay >= deadline.remaining()) throw lastError;
      grant = budget?.tryRetry(outcome.timedOut ? 'timeout' : 'error');
      if (budget && !grant) {
        this.#stats.retriesRefused++;
        throw lastError;
      }
      this.#stats.retries++;
      lastDelay = delay;
      if (delay > 0) {
        const waitSignal = callerSignal
          ? AbortSignal.any([deadline.signal, callerSignal])
          : deadline.signal;
        const slept = await s.clock.sleep(delay, waitSignal);
        if (!slept)
          throw callerSignal?.aborted
            ? (callerSignal.reason as Error)
            : this.#deadlineError(attempt + 1, lastError);
      }
    }
  }

  async #attempt<T>(
    fn: (context: AttemptContext) => Promise<T> | T,
    attempt: number,
    deadline: Deadline,
    callerSignal: AbortSignal | undefined,
    breakerTicket: BreakerTicket | undefined,
  ): Promise<
    { ok: true; value: T } | { ok: false; error: unknown; timedOut: boolean; final: boolean }
  > {
    const s = this.#s;
    // Only first attempts vote: a retry repeats a call whose failure is already counted, and
    // letting it vote again turns an overload that fails a third of calls into a "mostly failing"
    // dependency. Retries still need the breaker's permission.
    const ticket =
      attempt === 1
        ? breakerTicket
        : breakerTicket && {
            success: () => breakerTicket.cancel(),
            failure: () => breakerTicket.cancel(),
            cancel: () => breakerTicket.cancel(),
          };
    this.#stats.attempts++;
    const own = s.attemptTimeoutMs !== undefined ? deadline.child(s.attemptTimeoutMs) : deadline;
    let lease: { readonly id: string; release(): void } | undefined;
    // Set only when the attempt's deadline ended before the work did (not when work finished late on its own).
    let timedOut = false;
    try {
      lease = s.balancer?.acquire();
      // Ended before it began: never start the work.
      if (callerSignal?.aborted) throw callerSignal.reason as Error;
      if (own.expired) {
        timedOut = true;
        throw new BallastError('DeadlineExceeded', 'no time left for this attempt');
      }
      let signal: AbortSignal | undefined;
      const context: AttemptContext = {
        // Made when the function asks for it: an AbortSignal costs microseconds a fast call need not pay.
        get signal() {
          return (signal ??= callerSignal
            ? AbortSignal.any([own.signal, callerSignal])
            : own.signal);
        },
        deadline: own,
        attempt,
        endpoint: lease?.id,
      };
      let work: Promise<T>;
      try {
        work = Promise.resolve(withDeadline(own, () => fn(context)));
      } catch (error) {
        work = Promise.reject(error as Error);
      }
      const value = await settleBefore(work, own, callerSignal, () => (timedOut = true));
      ticket?.success();
      return { ok: true, value };
    } catch (error) {
      if (callerSignal?.aborted) {
        ticket?.cancel();
        return { ok: false, error: callerSignal.reason, timedOut: false, final: true };
      }
      if (timedOut) {
        ticket?.failure();
        if (deadline.expired || own === deadline)
          return {
            ok: false,
            error: this.#deadlineError(attempt, error),
            timedOut: true,
            final: true,
          };
        this.#stats.attemptTimeouts++;
        const timeout = new BallastError(
          'DeadlineExceeded',
          `interaction "${s.name}": attempt ${attempt} timed out after ${s.attemptTimeoutMs} ms`,
          { cause: error },
        );
        return { ok: false, error: timeout, timedOut: true, final: false };
      }
      const retryable = s.retry.retryOn(error);
      // An error that says the request was wrong is an answer: the dependency is working.
      if (retryable) ticket?.failure();
      else ticket?.success();
      return { ok: false, error, timedOut: false, final: !retryable };
    } finally {
      // A ticket without a verdict (a balancer or retryOn that threw) must not hold a half-open trial place.
      ticket?.cancel();
      lease?.release();
      if (own !== deadline) own.dispose();
    }
  }

  #deadlineError(attempt: number, cause: unknown): BallastError {
    return new BallastError(
      'DeadlineExceeded',
      `interaction "${this.#s.name}": its ${this.#s.deadlineMs} ms deadline passed (attempt ${attempt})`,
      cause === undefined ? undefined : { cause },
    );
  }
}
