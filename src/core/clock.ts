/** Time is injected: everything that reads the time or waits takes a `Clock`. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds, or early (without throwing) when `signal` aborts.
   * Returns true when the full time elapsed.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * Optional: calls `callback` after `ms` milliseconds; returns what cancels it. Lets hot paths
   * (a deadline per call) time out without an AbortController each; without it they use `sleep`.
   */
  setTimer?(ms: number, callback: () => void): () => void;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  setTimer(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
