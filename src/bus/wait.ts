import type { Clock } from '../core/clock.js';

/**
 * Waits until `subscribe`'s callback fires, `ms` pass, or `signal` aborts — whichever is first.
 * Returns whether the signal is still live.
 */
export async function waitForWake(
  clock: Clock,
  subscribe: (wake: () => void) => () => void,
  ms: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return false;
  const woken = new AbortController();
  const onAbort = (): void => woken.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const off = subscribe(() => woken.abort());
  try {
    await clock.sleep(ms, woken.signal);
  } finally {
    off();
    signal.removeEventListener('abort', onAbort);
  }
  return !signal.aborted;
}
