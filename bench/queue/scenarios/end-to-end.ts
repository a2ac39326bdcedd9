import { performance } from 'node:perf_hooks';
import type { BenchQueue } from '../types.js';
import { payloads, since, waitFor } from '../workload.js';
import { type Rate, rate } from './measurement.js';

/**
 * Scenario 5: end to end. Consumers run on an empty queue; `count` messages are sent the batched
 * way while they consume. The clock stops when every message has been sent, received and
 * deleted (the store says nothing is left). This is the "server ≥ 5,000 msg/s" figure.
 */
export async function endToEnd(
  q: BenchQueue,
  count: number,
  concurrency: number,
  capMs: number,
): Promise<Rate> {
  let handled = 0;
  const consumer = await q.consume(() => {
    handled++;
  }, concurrency);
  try {
    const start = performance.now();
    await q.sendBulk(payloads(count));
    const allHandled = await waitFor(
      () => handled >= count,
      1,
      Math.max(1000, capMs - since(start)),
    );
    const allDone =
      allHandled &&
      (await waitFor(
        async () => (await q.remaining()) === 0,
        5,
        Math.max(1000, capMs - since(start)),
      ));
    const elapsed = since(start);
    if (allDone) return rate(count, elapsed);
    return rate(count - (await q.remaining()), elapsed, true);
  } finally {
    await consumer.stop();
  }
}
