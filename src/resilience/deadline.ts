import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';

/**
 * The header that carries a request's remaining time budget between hops, in whole milliseconds.
 * A remaining budget, not an absolute time, so clock skew between machines does not matter (as
 * gRPC's `grpc-timeout`); each hop subtracts the time it has spent before passing it on.
 */
export const DEADLINE_HEADER = 'ballast-deadline-ms';

/** The reason a deadline's own timer is stopped with. */
const DISPOSED = 'disposed';

/** Longest budget accepted from a header, ms (24 h): anything larger is treated as malformed. */
export const MAX_DEADLINE_MS = 86_400_000;

/**
 * A point in time a piece of work must finish by. `signal` aborts when it passes (so work can be
 * cancelled); `child(ms)` gives a nested deadline that never outlives this one.
 */
export class Deadline {
  readonly #clock: Clock;
  readonly #at: number;
  /** Made on first use of `signal`: most deadlines of a fast call never need one (an AbortController costs microseconds). */
  #abort: AbortController | undefined;
  /** Why it ended, once it has (its own time passed, or its parent's). */
  #reason: BallastError | undefined;
  /** Called once when it ends (children, races); cleared then. Usually one or two: an array, not a Set. */
  #listeners: { fn: () => void; live: boolean }[] | undefined;
  /** Cancels the timer, once armed. */
  #cancelTimer: (() => void) | undefined;
  #disposed = false;
  /** Removes this deadline's listener from its parent (children must not pile up on a long-lived parent). */
  #detach: (() => void) | undefined;

  private constructor(at: number, clock: Clock, parent?: Deadline) {
    this.#clock = clock;
    this.#at = at;
    if (parent) {
      if (parent.#reason) this.#end(parent.#reason);
      else this.#detach = parent.onEnd(() => this.#end(parent.#reason!));
    }
  }

  /** A deadline `ms` from now (a whole, non-negative number of ms). */
  static after(ms: number, clock: Clock = systemClock): Deadline {
    if (!Number.isFinite(ms) || ms < 0)
      throw new BallastError(
        'InvalidParameterValue',
        `a deadline needs a non-negative number of ms (got ${ms})`,
      );
    return new Deadline(clock.now() + ms, clock);
  }

  /** The deadline a request carries in `DEADLINE_HEADER`, or undefined when it carries none; `InvalidParameterValue` when malformed. */
  static fromHeader(
    value: string | string[] | undefined | null,
    clock: Clock = systemClock,
  ): Deadline | undefined {
    if (value === undefined || value === null) return undefined;
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || !/^\d{1,9}$/.test(text.trim()) || Number(text) > MAX_DEADLINE_MS) {
      throw new BallastError(
        'InvalidParameterValue',
        `${DEADLINE_HEADER} must be a whole number of milliseconds from 0 to ${MAX_DEADLINE_MS}`,
      );
    }
    return Deadline.after(Number(text), clock);
  }

  /** When it passes (epoch ms, on this deadline's clock). */
  get at(): number {
    return this.#at;
  }

  /** Milliseconds left (0 once passed). */
  remaining(): number {
    return Math.max(0, this.#at - this.#clock.now());
  }

  /** True once the deadline has passed (or has been seen to end: a timer may fire a millisecond before the clock agrees). */
  get expired(): boolean {
    return this.#reason !== undefined || this.remaining() === 0;
  }

  /** Aborts (with a `DeadlineExceeded`-coded error as reason) when the deadline passes or a parent's does. */
  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#reason) this.#abort.abort(this.#reason);
      else this.#arm();
    }
    return this.#abort.signal;
  }

  /**
   * Calls `listener` once when the deadline ends (at once if it has); returns what unsubscribes it.
   * The cheap alternative to `signal` for code that only needs to know.
   */
  onEnd(listener: () => void): () => void {
    if (this.#reason) {
      listener();
      return () => undefined;
    }
    const entry = { fn: listener, live: true };
    (this.#listeners ??= []).push(entry);
    this.#arm();
    return () => {
      // `live` covers an unsubscribe made while the end is being announced.
      entry.live = false;
      const i = this.#listeners?.indexOf(entry) ?? -1;
      if (i >= 0) this.#listeners!.splice(i, 1);
    };
  }

  /** A nested deadline: `ms` from now, but never later than this one; ends with it. */
  child(ms?: number): Deadline {
    const at =
      ms === undefined ? this.#at : Math.min(this.#at, this.#clock.now() + Math.max(0, ms));
    return new Deadline(at, this.#clock, this);
  }

  /** The header value to send downstream: the budget left, whole ms rounded down. */
  toHeader(): string {
    return String(Math.floor(this.remaining()));
  }

  /** Stops the timer and lets go of the parent (call when the work is done, so nothing keeps waiting). */
  dispose(): void {
    this.#disposed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#detach?.();
    this.#detach = undefined;
    this.#listeners = undefined;
  }

  /** Starts the timer (once) that ends the deadline when it passes. */
  #arm(): void {
    if (this.#cancelTimer || this.#reason || this.#disposed) return;
    // Already past: still through a (0 ms) timer, so work that has just settled wins the race.
    const left = this.remaining();
    const fire = () =>
      this.#end(
        new BallastError('DeadlineExceeded', 'the deadline passed before the work finished'),
      );
    if (this.#clock.setTimer) {
      this.#cancelTimer = this.#clock.setTimer(left, fire);
      return;
    }
    const stop = new AbortController();
    void this.#clock.sleep(left, stop.signal).then((elapsed) => elapsed && fire());
    // A plain reason: an abort without one builds a DOMException, stack and all.
    this.#cancelTimer = () => stop.abort(DISPOSED);
  }

  #end(reason: BallastError): void {
    if (this.#reason || this.#disposed) return;
    this.#reason = reason;
    this.#cancelTimer?.(); // its own timer, when the end came from a parent
    this.#cancelTimer = undefined;
    this.#abort?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (!listeners) return;
    for (const l of listeners) {
      if (!l.live) continue;
      // One listener that throws must not keep the others (children, races) from hearing of the end.
      try {
        l.fn();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
