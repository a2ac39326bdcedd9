import type { Clock } from '../core/clock.js';

/**
 * Two counters (`a`, `b`) over a sliding window of `buckets` time buckets of `bucketMs` each:
 * adding and summing cost O(buckets), with no per-event memory. Shared by the ratio retry budget
 * (requests, retries) and the circuit breaker's sampling trigger (successes, failures).
 */
export class SlidingCounts {
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  #bucket = -1;

  constructor(
    readonly buckets: number,
    readonly bucketMs: number,
    readonly clock: Clock,
  ) {
    this.#a = new Float64Array(buckets);
    this.#b = new Float64Array(buckets);
  }

  /** Counts one event in `a` or `b`, now. */
  add(which: 'a' | 'b', n = 1): void {
    const i = this.#advance();
    (which === 'a' ? this.#a : this.#b)[i]! += n;
  }

  /** Totals over the window ending now. */
  sums(): { a: number; b: number } {
    this.#advance();
    let a = 0;
    let b = 0;
    for (let i = 0; i < this.buckets; i++) {
      a += this.#a[i]!;
      b += this.#b[i]!;
    }
    return { a, b };
  }

  /** Forgets everything counted. */
  clear(): void {
    this.#a.fill(0);
    this.#b.fill(0);
  }

  /** Moves the window to now, clearing the buckets that fell out of it; returns the current bucket. */
  #advance(): number {
    const bucket = Math.floor(this.clock.now() / this.bucketMs);
    if (this.#bucket >= 0) {
      const gap = Math.min(this.buckets, bucket - this.#bucket);
      for (let k = 1; k <= gap; k++) {
        this.#a[(this.#bucket + k) % this.buckets] = 0;
        this.#b[(this.#bucket + k) % this.buckets] = 0;
      }
    }
    if (bucket > this.#bucket) this.#bucket = bucket;
    return this.#bucket % this.buckets;
  }
}
