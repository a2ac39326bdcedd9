import { performance } from 'node:perf_hooks';
import type { BenchQueue } from '../types.js';
import { bounded, payload, since } from '../workload.js';
import { type Rate, rate } from './measurement.js';

/**
 * Scenario 1: single adds. `count` messages, one per call, with at most `inFlight` calls
 * outstanding (1 = strictly sequential awaits). Ends when every call has been acknowledged.
 */
export async function enqueueSingle(
  q: BenchQueue,
  count: number,
  inFlight: number,
  capMs: number,
): Promise<Rate> {
  const start = performance.now();
  let sent = 0;
  let capped = false;
  await bounded(count, inFlight, async (i) => {
    if (capped || since(start) > capMs) {
      capped = true;
      return;
    }
    await q.send(payload(i));
    sent++;
  });
  return rate(sent, since(start), capped);
}
