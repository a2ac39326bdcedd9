import type { StoreCondition, StoreConditionEvent } from '../contract.js';

/** A failure the driver recognised as the environment's (disk, I/O, permissions, network), not a bug. */
export interface EnvironmentFailure {
  /** The driver's code: `SQLITE_FULL`, `ENOSPC`, SQLSTATE `53100`, `ECONNREFUSED`… */
  readonly code: string;
  /** In words, for operators: "the disk is full". */
  readonly reason: string;
}

/**
 * The write condition every driver keeps (see `StoreCondition`): failures recorded by the
 * driver's error mapping, successes by its durable writes. Driver-independent, so both drivers
 * report outages the same way.
 */
export class StoreConditionTracker {
  #state: StoreCondition;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: StoreConditionEvent) => void>();

  /** @param now - epoch ms for `since` (the store's clock). */
  constructor(now: () => number) {
    this.#now = now;
    this.#state = { writable: true, since: now(), code: null, reason: null };
  }

  /** The current condition. */
  get condition(): StoreCondition {
    return this.#state;
  }

  /** Records a failing call: the store is not writable from now (or still not). */
  failed(failure: EnvironmentFailure): void {
    const started = this.#state.writable;
    this.#state = {
      writable: false,
      since: started ? this.#now() : this.#state.since,
      code: failure.code,
      reason: failure.reason,
    };
    this.#emit({
      type: 'failure',
      code: failure.code,
      reason: failure.reason,
      started,
      condition: this.#state,
    });
  }

  /** Records a successful durable write: an outage, if any, ends now. */
  succeeded(): void {
    if (this.#state.writable) return;
    const outage = this.#state;
    const now = this.#now();
    this.#state = { writable: true, since: now, code: null, reason: null };
    this.#emit({
      type: 'recovered',
      condition: this.#state,
      outage,
      durationMs: Math.max(0, now - outage.since),
    });
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (event: StoreConditionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoreConditionEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // Listeners log and count; one that throws must never fail the write that reported.
      }
    }
  }
}
