import type { Clock } from '../core/clock.js';

interface Sleeper {
  due: number;
  resolve: (elapsed: boolean) => void;
}

/** A clock that moves only when told to; for tests of time-dependent logic without sleeps. */
export class FakeClock implements Clock {
  #now: number;
  #sleepers = new Set<Sleeper>();

  /** @param start - initial time in epoch milliseconds (default 2026-01-01T00:00:00Z). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const sleeper: Sleeper = { due: this.#now + Math.max(0, ms), resolve };
      const onAbort = (): void => {
        this.#sleepers.delete(sleeper);
        resolve(false);
      };
      sleeper.resolve = (elapsed) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(elapsed);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.add(sleeper);
      if (ms <= 0) this.#wake();
    });
  }

  setTimer(ms: number, callback: () => void): () => void {
    const sleeper: Sleeper = {
      due: this.#now + Math.max(0, ms),
      resolve: (elapsed) => elapsed && callback(),
    };
    this.#sleepers.add(sleeper);
    if (ms <= 0) this.#wake();
    return () => void this.#sleepers.delete(sleeper);
  }

  /** Moves time forward by `ms` milliseconds and wakes every sleeper now due. */
  advance(ms: number): void {
    this.#now += ms;
    this.#wake();
  }

  /** Sets the time to `epochMs` (never backwards). */
  set(epochMs: number): void {
    this.#now = Math.max(this.#now, epochMs);
    this.#wake();
  }

  /** How many sleepers are waiting; lets tests wait until code under test is parked. */
  get pendingSleepers(): number {
    return this.#sleepers.size;
  }

  #wake(): void {
    for (const s of [...this.#sleepers]) {
      // A sleeper cancelled by an earlier one's callback during this wake is not woken.
      if (s.due <= this.#now && this.#sleepers.has(s)) {
        this.#sleepers.delete(s);
        s.resolve(true);
      }
    }
  }
}
