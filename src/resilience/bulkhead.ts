import { describeValue } from '../core/describe-value.js';
import { BallastError } from '../core/errors.js';

/** Options of `Bulkhead`. */
export interface BulkheadOptions {
  /** Calls running at once. */
  concurrency: number;
  /** Calls waiting for a place; beyond it, calls are refused at once. @defaultValue 0 (no waiting) */
  queue?: number;
}

/**
 * Isolates a dependency: at most `concurrency` calls run at once and at most `queue` wait; any
 * more are refused at once with `LimitExceededException` (cheap, early, before any work), so a
 * slow dependency cannot take every resource of its callers.
 */
export class Bulkhead {
  readonly #concurrency: number;
  readonly #queueLimit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: BulkheadOptions) {
    const int = (v: number, min: number, name: string) => {
      if (!Number.isInteger(v) || v < min || v > 1_000_000)
        throw new BallastError(
          'InvalidParameterValue',
          `${name} must be an integer from ${min} to 1,000,000 (got ${describeValue(v)})`,
        );
      return v;
    };
    this.#concurrency = int(options.concurrency, 1, 'concurrency');
    this.#queueLimit = int(options.queue ?? 0, 0, 'queue');
  }

  /** Calls running now. */
  get running(): number {
    return this.#running;
  }

  /** Calls waiting now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Runs `fn` when there is a place; refuses at once when the queue is full too. `signal` abandons a wait. */
  async execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#running >= this.#concurrency) {
      if (this.#waiting.length >= this.#queueLimit) {
        throw new BallastError(
          'LimitExceededException',
          `bulkhead full: ${this.#running} running, ${this.#waiting.length} waiting`,
        );
      }
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', abandon);
          resolve();
        };
        const abandon = () => {
          const i = this.#waiting.indexOf(go);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        if (signal?.aborted) return abandon();
        signal?.addEventListener('abort', abandon, { once: true });
        this.#waiting.push(go);
      });
    } else {
      this.#running++;
    }
    try {
      return await fn();
    } finally {
      // The place passes straight to the next waiter (running stays the same), or is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
