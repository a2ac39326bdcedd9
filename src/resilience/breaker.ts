import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { SlidingCounts } from './sliding-counts.js';

/** Circuit states: closed (calls flow), open (calls fail fast), half-open (a few trial calls). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** When the breaker opens. */
export type BreakerTrigger =
  /** After this many failures in a row. */
  | { readonly kind: 'consecutive'; readonly failures: number }
  /** When, over the last `windowMs`, at least `minCalls` ended and `threshold` (0–1) of them failed. */
  | {
      readonly kind: 'sampling';
      readonly threshold: number;
      readonly windowMs: number;
      readonly minCalls: number;
    };

/** Options of `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  /** @defaultValue `{ kind: 'consecutive', failures: 5 }` */
  trigger?: BreakerTrigger;
  /** How long it stays open before letting trial calls through, ms. @defaultValue 10,000 */
  openMs?: number;
  /** Trial calls allowed at once while half-open; that many successes close it, one failure reopens it. @defaultValue 1 */
  halfOpenCalls?: number;
  clock?: Clock;
}

/** A snapshot of the breaker, for metrics and for handing state to another process. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** When it opened last (epoch ms), if it is open or half-open. */
  readonly openedAt: number | undefined;
  readonly consecutiveFailures: number;
}

/** One permitted call: report how it ended. */
export interface BreakerTicket {
  success(): void;
  failure(): void;
  /** The call ended without a verdict on the dependency (the caller gave up): frees a trial place, counts nothing. */
  cancel(): void;
}

const BUCKETS = 10;

/**
 * A circuit breaker: it fails calls fast (`CircuitOpen`, no call made) while a dependency is
 * failing, and probes recovery with a bounded number of trial calls. Consecutive-failure or
 * sampling (failure ratio over a sliding window) trigger; state observable and exportable.
 */
export class CircuitBreaker {
  readonly #o: { trigger: BreakerTrigger; openMs: number; halfOpenCalls: number; clock: Clock };
  #state: BreakerState = 'closed';
  #openedAt: number | undefined;
  #consecutive = 0;
  #trials = 0;
  #trialSuccesses = 0;
  /** Counts half-open periods: a trial from an earlier period must not touch this one's counts. */
  #period = 0;
  /** a = successes, b = failures, over the sampling window (10 buckets). */
  readonly #window: SlidingCounts;
  readonly #listeners = new Set<(state: BreakerState) => void>();

  constructor(options: CircuitBreakerOptions = {}) {
    const trigger = options.trigger ?? { kind: 'consecutive', failures: 5 };
    const bad = (m: string): never => {
      throw new BallastError('InvalidParameterValue', m);
    };
    if (
      typeof trigger !== 'object' ||
      trigger === null ||
      (trigger.kind !== 'consecutive' && trigger.kind !== 'sampling')
    ) {
      bad(
        `trigger must be { kind: 'consecutive', failures } or { kind: 'sampling', threshold, windowMs, minCalls }`,
      );
    }
    const allowed =
      trigger.kind === 'consecutive'
        ? ['kind', 'failures']
        : ['kind', 'threshold', 'windowMs', 'minCalls'];
    const unknown = Object.keys(trigger).find((k) => !allowed.includes(k));
    if (unknown !== undefined)
      bad(
        `trigger has no option ${unknown} (a ${trigger.kind} trigger takes ${allowed.slice(1).join(', ')})`,
      );
    if (
      trigger.kind === 'consecutive' &&
      !(Number.isInteger(trigger.failures) && trigger.failures >= 1 && trigger.failures <= 10_000)
    )
      bad('trigger.failures must be an integer from 1 to 10,000');
    if (trigger.kind === 'sampling') {
      if (!(trigger.threshold > 0 && trigger.threshold <= 1))
        bad('trigger.threshold must be above 0 and at most 1');
      if (!(
        Number.isInteger(trigger.windowMs) &&
        trigger.windowMs >= BUCKETS &&
        trigger.windowMs <= 3_600_000
      ))
        bad('trigger.windowMs must be an integer from 10 to 3,600,000');
      if (!(Number.isInteger(trigger.minCalls) && trigger.minCalls >= 1))
        bad('trigger.minCalls must be a positive integer');
    }
    const openMs = options.openMs ?? 10_000;
    if (!(Number.isInteger(openMs) && openMs >= 1 && openMs <= 3_600_000))
      bad('openMs must be an integer from 1 to 3,600,000');
    const halfOpenCalls = options.halfOpenCalls ?? 1;
    if (!(Number.isInteger(halfOpenCalls) && halfOpenCalls >= 1 && halfOpenCalls <= 1_000))
      bad('halfOpenCalls must be an integer from 1 to 1,000');
    this.#o = { trigger, openMs, halfOpenCalls, clock: options.clock ?? systemClock };
    this.#window = new SlidingCounts(
      BUCKETS,
      trigger.kind === 'sampling' ? trigger.windowMs / BUCKETS : 1_000,
      this.#o.clock,
    );
  }

  /** The current state (an open breaker whose time is up reads as half-open). */
  get state(): BreakerState {
    this.#tick();
    return this.#state;
  }

  /** The state, exportable (`CircuitBreaker.fromSnapshot` restores it). */
  snapshot(): BreakerSnapshot {
    this.#tick();
    return { state: this.#state, openedAt: this.#openedAt, consecutiveFailures: this.#consecutive };
  }

  /** A breaker in the state `snapshot` describes (e.g. handed over by a previous process). */
  static fromSnapshot(
    snapshot: BreakerSnapshot,
    options: CircuitBreakerOptions = {},
  ): CircuitBreaker {
    const b = new CircuitBreaker(options);
    b.#consecutive = snapshot.consecutiveFailures;
    if (snapshot.state !== 'closed') {
      b.#state = 'open';
      b.#openedAt = snapshot.openedAt ?? b.#o.clock.now();
    }
    return b;
  }

  /** Calls `listener` on every state change; returns the unsubscribe. */
  onStateChange(listener: (state: BreakerState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks to make a call: a ticket, or `CircuitOpen` thrown (fail fast, nothing was called). */
  acquire(): BreakerTicket {
    this.#tick();
    if (
      this.#state === 'open' ||
      (this.#state === 'half-open' && this.#trials >= this.#o.halfOpenCalls)
    ) {
      throw new BallastError(
        'CircuitOpen',
        'the circuit is open: the dependency is failing; not called',
      );
    }
    const trial = this.#state === 'half-open';
    if (trial) this.#trials++;
    const period = this.#period;
    let done = false;
    const end = (ok: boolean | undefined) => {
      if (done) return;
      done = true;
      if (trial && period !== this.#period) return; // a late trial of an earlier half-open period
      if (ok !== undefined) this.#record(ok, trial);
      else if (trial) this.#trials--;
    };
    return { success: () => end(true), failure: () => end(false), cancel: () => end(undefined) };
  }

  /** Runs `fn` through the breaker: its result, or its error (counted as a failure). */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const ticket = this.acquire();
    try {
      const value = await fn();
      ticket.success();
      return value;
    } catch (error) {
      ticket.failure();
      throw error;
    }
  }

  #record(ok: boolean, trial: boolean): void {
    if (trial) {
      this.#trials--;
      if (this.#state !== 'half-open') return; // a late trial after the breaker moved on
      if (!ok) return this.#open();
      if (++this.#trialSuccesses >= this.#o.halfOpenCalls) this.#close();
      return;
    }
    if (ok) {
      this.#consecutive = 0;
      this.#window.add('a');
      return;
    }
    this.#consecutive++;
    this.#window.add('b');
    if (this.#state !== 'closed') return;
    const t = this.#o.trigger;
    if (t.kind === 'consecutive' && this.#consecutive >= t.failures) return this.#open();
    if (t.kind === 'sampling') {
      const { a: ok, b: failed } = this.#window.sums();
      if (ok + failed >= t.minCalls && failed / (ok + failed) >= t.threshold) this.#open();
    }
  }

  #tick(): void {
    if (this.#state === 'open' && this.#o.clock.now() - (this.#openedAt ?? 0) >= this.#o.openMs) {
      this.#set('half-open');
      this.#period++;
      this.#trials = 0;
      this.#trialSuccesses = 0;
    }
  }

  #open(): void {
    this.#openedAt = this.#o.clock.now();
    this.#set('open');
  }

  #close(): void {
    this.#consecutive = 0;
    this.#openedAt = undefined;
    this.#window.clear();
    this.#set('closed');
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const l of this.#listeners) l(state);
  }
}
