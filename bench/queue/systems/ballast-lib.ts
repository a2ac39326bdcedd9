import type { Ballast } from '../../../src/ballast.js';
import type { Queue } from '../../../src/queue/queue.js';
import type { BenchQueue, Payload, PayloadHandler, RunningConsumer, SystemRun } from '../types.js';
import { bounded, chunks } from '../workload.js';

/** sendBatch calls (of 10) in flight during a bulk enqueue; the store group-commits concurrent calls. */
export const BALLAST_BATCHES_IN_FLIGHT = 100;

/** How Ballast's in-process adapters enqueue in bulk and consume (shared by the SQLite and PostgreSQL runs). */
export const BALLAST_BULK_METHOD = `concurrent \`sendBatch\` of 10 entries, ${BALLAST_BATCHES_IN_FLIGHT} calls in flight (the driver group-commits concurrent calls)`;
export const BALLAST_CONSUME_METHOD =
  "`queue.consume(handler, { concurrency: 10, waitTimeSeconds: 1 })` (other options at their defaults); done = the store's own counts (`store.queues.stats`, uncached) show 0 visible, 0 delayed, 0 in flight (messages are deleted on success)";

/** A run of Ballast as a library over an opened Ballast; `cleanup` removes the store afterwards. */
export function ballastRun(ballast: Ballast, cleanup: () => Promise<void>): SystemRun {
  return {
    async queue(phase) {
      const q = await ballast.queues.create(`bench-${phase}`, { visibilityTimeout: 30 });
      return ballastQueue(ballast, q);
    },
    async close() {
      await ballast.close();
      await cleanup();
    },
  };
}

function ballastQueue(ballast: Ballast, q: Queue): BenchQueue {
  return {
    async send(p: Payload) {
      await q.send(JSON.stringify(p));
    },
    async sendBulk(payloads: Payload[]) {
      const batches = chunks(payloads, 10);
      await bounded(batches.length, BALLAST_BATCHES_IN_FLIGHT, async (i) => {
        const r = await q.sendBatch(
          batches[i]!.map((p, j) => ({ id: String(j), body: JSON.stringify(p) })),
        );
        if (r.failed.length > 0)
          throw new Error(`sendBatch failed: ${JSON.stringify(r.failed[0])}`);
      });
    },
    async consume(handler: PayloadHandler, concurrency: number): Promise<RunningConsumer> {
      const c = q.consume(
        (m) => {
          handler(JSON.parse(m.body) as Payload);
        },
        { concurrency, waitTimeSeconds: 1 },
      );
      return { stop: () => c.stop() };
    },
    async remaining() {
      // The store's own count, not queue.depth(): depth() may reuse counts for a while
      // (statsTtlMs), which would stop the clock up to that late.
      const s = await ballast.store.queues.stats((await q.record()).id);
      return s.visible + s.delayed + s.inFlight;
    },
    async dispose() {
      await ballast.queues.delete(q.name);
    },
  };
}
