import type { Clock } from '../core/clock.js';
import { fullJitterSeconds } from '../core/backoff.js';

/**
 * Runs `step` until `signal` aborts: the bus's background loops (dispatch, delivery, schedules).
 * A failing step (the store restarting, say) is reported and retried after a full-jitter backoff
 * (0.1 s doubling to 5 s), reset by the next step that succeeds.
 */
export async function runLoop(
  signal: AbortSignal,
  clock: Clock,
  onError: (error: unknown) => void,
  step: () => Promise<void>,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      await step();
      failures = 0;
    } catch (error) {
      if (signal.aborted) break;
      onError(error);
      failures++;
      await clock.sleep(
        fullJitterSeconds(failures, { baseSeconds: 0.1, maxSeconds: 5 }) * 1000,
        signal,
      );
    }
  }
}
