import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';

/** How often a long poll re-checks when wake-ups cannot cross processes (another process may send), ms. */
const LOCAL_ONLY_RECHECK_MS = 1_000;
/** Safety re-check when wake-ups do cross processes (a notification may be lost in a reconnect), ms. */
const CROSS_PROCESS_RECHECK_MS = 5_000;

/**
 * Long polling: tries `attempt` until it returns something or `waitMs` passes. Between tries it
 * sleeps until a wake-up (a commit made messages available), the next delayed or in-flight
 * message's visibility time, or a periodic re-check, whichever is first: a wake-up, not a timer poll.
 */
export async function longPoll<T>(
  store: Store,
  clock: Clock,
  queueId: number,
  waitMs: number,
  attempt: () => Promise<T[]>,
  signal?: AbortSignal,
): Promise<T[]> {
  let woken = false;
  let interrupt: (() => void) | null = null;
  // Subscribe before the first attempt so a send between attempt and sleep is not missed.
  const off = store.queues.onWake(queueId, () => {
    woken = true;
    interrupt?.();
  });
  const onAbort = (): void => interrupt?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const deadline = clock.now() + waitMs;
    for (;;) {
      woken = false;
      const got = await attempt();
      if (got.length > 0 || signal?.aborted) return got;
      const now = clock.now();
      if (now >= deadline) return got;
      if (woken) continue;
      const next = await store.queues.nextVisibleAt(queueId);
      const recheck = store.capabilities.crossProcessWakeups
        ? CROSS_PROCESS_RECHECK_MS
        : LOCAL_ONLY_RECHECK_MS;
      let until = Math.min(deadline, now + recheck);
      if (next !== null) until = Math.min(until, next);
      if (woken || signal?.aborted) continue;
      const stop = new AbortController();
      interrupt = () => stop.abort();
      await clock.sleep(Math.max(0, until - now), stop.signal);
      interrupt = null;
    }
  } finally {
    off();
    signal?.removeEventListener('abort', onAbort);
  }
}
