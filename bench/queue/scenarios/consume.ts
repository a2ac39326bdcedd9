import { performance } from 'node:perf_hooks';
import type { BenchQueue } from '../types.js';
import { since, waitFor } from '../workload.js';
import { type Rate, rate } from './measurement.js';

/** How often the store is asked whether everything is done, once every handler has run, ms. */
const DONE_POLL_MS = 5;

/**
 * Scenario 3: drain a waiting backlog of `count` messages with `concurrency` handlers (no-op
 * handlers). The clock starts just before the consumer is started and stops when the store says
 * nothing is left (every message deleted / completed), not when the last handler ran.
 */
export async function consumeBacklog(
  q: BenchQueue,
  count: number,
  concurrency: number,
  capMs: number,
): Promise<Rate> {
  let handled = 0;
  const start = performance.now();
  const consumer = await q.consume(() => {
    handled++;
  }, concurrency);
  try {
    const allHandled = await waitFor(() => handled >= count, 1, capMs);
    const left = () => capMs - since(start);
    const allDone =
      allHandled &&
      (await waitFor(
        async () => (await q.remaining()) === 0,
        DONE_POLL_MS,
        Math.max(1000, left()),
      ));
    const elapsed = since(start);
    if (allDone) return rate(count, elapsed);
    const done = count - (await q.remaining());
    return rate(done, elapsed, true);
  } finally {
    await consumer.stop();
  }
}
