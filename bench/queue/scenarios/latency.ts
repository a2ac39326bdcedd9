import { performance } from 'node:perf_hooks';
import type { BenchQueue } from '../types.js';
import { payload, percentile, sleep, since } from '../workload.js';
import type { Latency } from './measurement.js';

/** Longest wait for one message to reach its handler before the phase gives up, ms. */
const SAMPLE_TIMEOUT_MS = 10_000;

/**
 * Scenario 4: latency at low load. One message at a time: stamp performance.now(), send, wait
 * until the handler starts (it reads the stamp from the body, same process), then a random
 * 0–20 ms gap. The first `warmup` samples are dropped. Sampling stops at `samples` or `capMs`.
 */
export async function latency(
  q: BenchQueue,
  samples: number,
  warmup: number,
  concurrency: number,
  capMs: number,
): Promise<Latency> {
  const waiting = new Map<number, (ms: number) => void>();
  const consumer = await q.consume((p) => {
    const ms = performance.now() - p.t;
    waiting.get(p.seq)?.(ms);
    waiting.delete(p.seq);
  }, concurrency);
  const got: number[] = [];
  let capped = false;
  try {
    let start = performance.now();
    for (let i = 0; i < warmup + samples; i++) {
      if (i === warmup) start = performance.now();
      if (i >= warmup && since(start) > capMs) {
        capped = true;
        break;
      }
      const seen = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`message ${i} did not reach a handler within ${SAMPLE_TIMEOUT_MS} ms`),
            ),
          SAMPLE_TIMEOUT_MS,
        );
        waiting.set(i, (ms) => {
          clearTimeout(timer);
          resolve(ms);
        });
      });
      await q.send(payload(i, performance.now()));
      const ms = await seen;
      if (i >= warmup) got.push(ms);
      await sleep(Math.random() * 20);
    }
  } finally {
    await consumer.stop();
  }
  return {
    kind: 'latency',
    samples: got.length,
    p50: percentile(got, 50),
    p99: percentile(got, 99),
    max: Math.max(...got),
    capped,
  };
}
