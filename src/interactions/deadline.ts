import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';

/**
 * The header that carries a request's remaining time budget between hops, in whole milliseconds.
 * A remaining budget, not an absolute time, so clock skew between machines does not matter (as
 * gRPC's `grpc-timeout`); each hop subtracts the time it has spent before passing it on.
 */
export const DEADLINE_HEADER = 'ballast-deadline-ms';

/** Longest budget accepted from a header, ms (24 h): anything larger is treated as malformed. */
export const MAX_DEADLINE_MS = 86_400_000;

/**
 * A point in time a piece of work must finish by. `signal` aborts when it passes (so work can be
 * cancelled); `child(ms)` gives a nested deadline that never outlives this one.
 */
export class Deadline {
  readonly #clock: Clock;
  readonly #at: number;
  readonly #abort = new AbortController();
  #timer: Promise<boolean> | undefined;
  readonly #stopTimer = new AbortController();
  /** Removes this deadline's listener from its parent's signal (children must not pile up on a long-lived parent). */
  #detach: (() => void) | undefined;

  private constructor(at: number, clock: Clock, parent?: Deadline) {
    this.#clock = clock;
    this.#at = at;
    if (parent) {
      const onParent = () => this.#abort.abort(parent.signal.reason);
      if (parent.signal.aborted) onParent();
      else {
        const signal = parent.signal;
        signal.addEventListener('abort', onParent, { once: true });
        this.#detach = () => signal.removeEventListener('abort', onParent);
      }
    }
  }

  /** A deadline `ms` from now (a whole, non-negative number of ms). */
  static after(ms: number, clock: Clock = systemClock): Deadline {
    if (!Number.isFinite(ms) || ms < 0) throw new BallastError('InvalidParameterValue', `a deadline needs a non-negative number of ms (got ${ms})`);
    return new Deadline(clock.now() + ms, clock);
  }

  /** The deadline a request carries in `DEADLINE_HEADER`, or undefined when it carries none; `InvalidParameterValue` when malformed. */
  static fromHeader(value: string | string[] | undefined | null, clock: Clock = systemClock): Deadline | undefined {
    if (value === undefined || value === null) return undefined;
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || !/^\d{1,9}$/.test(text.trim()) || Number(text) > MAX_DEADLINE_MS) {
      throw new BallastError('InvalidParameterValue', `${DEADLINE_HEADER} must be a whole number of milliseconds from 0 to ${MAX_DEADLINE_MS}`);
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

  /** True once the deadline has passed (or its signal has fired: a timer may fire a millisecond before the clock agrees). */
  get expired(): boolean {
    return this.remaining() === 0 || this.#abort.signal.aborted;
  }

  /** Aborts (with a `DeadlineExceeded`-coded error as reason) when the deadline passes or a parent's does. */
  get signal(): AbortSignal {
    if (!this.#timer && !this.#abort.signal.aborted) {
      this.#timer = this.#clock.sleep(this.remaining(), this.#stopTimer.signal).then((elapsed) => {
        if (elapsed) this.#abort.abort(new BallastError('DeadlineExceeded', 'the deadline passed before the work finished'));
        return elapsed;
      });
    }
    return this.#abort.signal;
  }

  /** A nested deadline: `ms` from now, but never later than this one; aborted with it. */
  child(ms?: number): Deadline {
    const at = ms === undefined ? this.#at : Math.min(this.#at, this.#clock.now() + Math.max(0, ms));
    return new Deadline(at, this.#clock, this);
  }

  /** The header value to send downstream: the budget left, whole ms rounded down. */
  toHeader(): string {
    return String(Math.floor(this.remaining()));
  }

  /** Stops the timer behind `signal` and lets go of the parent (call when the work is done, so nothing keeps waiting). */
  dispose(): void {
    this.#stopTimer.abort();
    this.#detach?.();
    this.#detach = undefined;
  }
}
