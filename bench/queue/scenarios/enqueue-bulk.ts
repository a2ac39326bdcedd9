import { performance } from 'node:perf_hooks';
import type { BenchQueue } from '../types.js';
import { payloads, since } from '../workload.js';
import { type Rate, rate } from './measurement.js';

/** Scenario 2: batched enqueue of `count` messages the system's own batched way (see the adapter's bulkMethod). */
export async function enqueueBulk(q: BenchQueue, count: number): Promise<Rate> {
  const all = payloads(count);
  const start = performance.now();
  await q.sendBulk(all);
  return rate(count, since(start));
}
