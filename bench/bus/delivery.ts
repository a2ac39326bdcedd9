/**
 * Bus delivery benchmark: putEvents → rule → queue target, on SQLite and on PostgreSQL, in
 * process. Two measurements per store:
 * - latency at a steady 1,000 events/s: publish time → queue handler start (p50, p99);
 * - sustained ingest: concurrent putEvents of 10 entries for a fixed count, the acknowledged rate,
 *   and the rate at which the events reached the queue (dispatch kept up or not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBallast, type Ballast } from '../../src/ballast.js';
import { dropSchema, pgUrlWith } from '../queue/services.js';
import { bounded, percentile, sleep } from '../queue/workload.js';

/** One store's delivery figures. */
export interface DeliveryResult {
  store: 'sqlite' | 'postgres';
  /** Events per second offered in the latency phase, and what was achieved. */
  offeredRate: number;
  achievedRate: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Sustained ingest: acknowledged putEvents entries per second, and events delivered to the queue per second over the same run. */
  ingestEvents: number;
  ingestPerSecond: number;
  deliveredPerSecond: number;
}

/** Options of the delivery benchmark. */
export interface DeliveryOptions {
  /** Latency phase: events per second and seconds. @defaultValue 1000 / 10 */
  rate: number;
  seconds: number;
  /** Ingest phase: events (in putEvents of 10) and calls in flight. @defaultValue 50,000 / 32 */
  ingestEvents: number;
  inFlight: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  rate: 1000,
  seconds: 10,
  ingestEvents: 50_000,
  inFlight: 32,
};

async function withStore<T>(
  store: 'sqlite' | 'postgres',
  fn: (b: Ballast) => Promise<T>,
): Promise<T> {
  const dir = store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ballast-bus-bench-')) : null;
  const schema = `bench_bus_${process.pid}_${Date.now()}`;
  const url = store === 'sqlite' ? `sqlite:${join(dir!, 'bus.db')}` : pgUrlWith('schema', schema);
  const b = await openBallast({ store: url, retentionSweepMs: 0 });
  try {
    return await fn(b);
  } finally {
    await b.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    else await dropSchema(schema);
  }
}

async function setup(b: Ballast, queue: string): Promise<void> {
  await b.queues.create(queue);
  await b.bus.putRule(`to-${queue}`, {
    eventPattern: { source: ['bench'], 'detail-type': [queue] },
  });
  await b.bus.putTargets(`to-${queue}`, [{ id: 'q', arn: b.queues.arn(queue) }]);
}

/** Latency at a steady rate: one putEvents per event, paced in 10 ms slots. */
async function latency(
  b: Ballast,
  o: DeliveryOptions,
): Promise<
  Pick<DeliveryResult, 'offeredRate' | 'achievedRate' | 'samples' | 'p50Ms' | 'p99Ms' | 'maxMs'>
> {
  await setup(b, 'latency');
  const q = await b.queues.get('latency');
  const latencies: number[] = [];
  const total = o.rate * o.seconds;
  const consumer = q.consume(
    (m) => {
      const sent = (JSON.parse(m.body) as { detail: { t: number } }).detail.t;
      latencies.push(performance.now() - sent);
    },
    { concurrency: 10, waitTimeSeconds: 1 },
  );
  const perSlot = o.rate / 100;
  const start = performance.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  for (let slot = 0; sent < total; slot++) {
    const due = start + slot * 10;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (let i = 0; i < perSlot && sent < total; i++, sent++) {
      pending.push(
        b.bus.putEvents([
          {
            source: 'bench',
            detailType: 'latency',
            detail: JSON.stringify({ t: performance.now(), n: sent }),
          },
        ]),
      );
    }
  }
  await Promise.all(pending);
  const achievedRate = total / ((performance.now() - start) / 1000);
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline) await sleep(20);
  await consumer.stop();
  const warm = latencies.slice(Math.min(latencies.length, o.rate)); // the first second warms up caches and JIT
  return {
    offeredRate: o.rate,
    achievedRate,
    samples: warm.length,
    p50Ms: percentile(warm, 50),
    p99Ms: percentile(warm, 99),
    maxMs: Math.max(...warm),
  };
}

/** Sustained ingest: concurrent putEvents of 10, counting acknowledgements and arrivals in the queue. */
async function ingest(
  b: Ballast,
  o: DeliveryOptions,
): Promise<Pick<DeliveryResult, 'ingestEvents' | 'ingestPerSecond' | 'deliveredPerSecond'>> {
  await setup(b, 'ingest');
  const q = await b.queues.get('ingest');
  let delivered = 0;
  const consumer = q.consume(() => void delivered++, { concurrency: 10, waitTimeSeconds: 1 });
  const calls = Math.ceil(o.ingestEvents / 10);
  const start = performance.now();
  await bounded(calls, o.inFlight, async (i) => {
    const r = await b.bus.putEvents(
      Array.from({ length: 10 }, (_, j) => ({
        source: 'bench',
        detailType: 'ingest',
        detail: JSON.stringify({ n: i * 10 + j, pad: 'x'.repeat(150) }),
      })),
    );
    if (r.failedEntryCount > 0)
      throw new Error(
        `putEvents failed: ${JSON.stringify(r.entries.find((e) => 'errorCode' in e))}`,
      );
  });
  const ingestSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + 120_000;
  while (delivered < calls * 10 && performance.now() < deadline) await sleep(10);
  const deliveredSeconds = (performance.now() - start) / 1000;
  await consumer.stop();
  return {
    ingestEvents: calls * 10,
    ingestPerSecond: (calls * 10) / ingestSeconds,
    deliveredPerSecond: delivered / deliveredSeconds,
  };
}

/** Runs both measurements on one store. */
export async function runDeliveryBench(
  store: 'sqlite' | 'postgres',
  o: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
): Promise<DeliveryResult> {
  const lat = await withStore(store, (b) => latency(b, o));
  const ing = await withStore(store, (b) => ingest(b, o));
  return { store, ...lat, ...ing };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const store of (process.argv[2] ?? 'sqlite,postgres').split(',') as (
    'sqlite' | 'postgres'
  )[]) {
    console.log(
      JSON.stringify(
        await runDeliveryBench(store, {
          ...DEFAULT_DELIVERY_OPTIONS,
          seconds: 5,
          ingestEvents: 20_000,
        }),
      ),
    );
  }
}
