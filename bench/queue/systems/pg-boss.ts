import PgBoss from 'pg-boss';
import pg from 'pg';
import { dropSchema, PG_URL, postgresFacts } from '../services.js';
import type { BenchQueue, Payload, QueueSystem, RunningConsumer } from '../types.js';
import { chunks, sleep } from '../workload.js';
import { packageVersion } from '../versions.js';

/** Jobs per insert call. */
const BULK = 1000;
/** pg-boss 10's smallest polling interval. */
const POLL_SECONDS = 0.5;
/** Time given to a fetch in progress to finish after offWork, ms. */
const STOP_SETTLE_MS = 300;

interface Variant {
  id: string;
  /** work() registrations; each polls on its own. 0 = one per unit of concurrency. */
  workers: number;
  batchSize: number;
  describe: string;
}

function pgBoss(variant: Variant): QueueSystem {
  return {
    id: variant.id,
    maxRuns: 1,
    capSeconds: 20,
    async facts() {
      const pgf = await postgresFacts();
      return {
        label: `pg-boss ${packageVersion('pg-boss')} on ${pgf.version.split(' ').slice(0, 2).join(' ')}, ${variant.describe}`,
        versions: { 'pg-boss': packageVersion('pg-boss'), postgresql: pgf.version },
        durability: `Durable per ack: send/insert commit a row (\`synchronous_commit=${pgf.synchronousCommit}\`). Completion is issued after the handler returns without being awaited by the worker loop, so it is committed shortly after, not before, the next fetch.`,
        bulkMethod: `\`boss.insert\` of ${BULK} jobs, one call at a time`,
        consumeMethod: `${variant.describe}, \`pollingIntervalSeconds: ${POLL_SECONDS}\` (pg-boss 10 has no wake-up on send: workers poll); done = no job of the queue in state created, retry or active (completed jobs are kept as state completed)`,
        notes: [
          `Fresh schema \`bench_${variant.id.replace(/-/g, '_')}_<run>\` per run, dropped afterwards.`,
          'pg-boss 10 workers sleep the rest of the polling interval after every fetch that took less than it, so throughput is bounded by workers × batchSize / 0.5 s.',
        ],
      };
    },
    async open(runNo) {
      const schema = `bench_${variant.id.replace(/-/g, '_')}_${runNo}`;
      await dropSchema(schema);
      const boss = new PgBoss({
        connectionString: PG_URL,
        schema,
        schedule: false,
        supervise: false,
        max: 12,
      });
      boss.on('error', (error: Error) => console.error(`pg-boss error: ${error.message}`));
      await boss.start();
      const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
      const jobTable = `"${schema}".job`;
      return {
        async queue(phase) {
          const name = `bench-${phase}`;
          await boss.createQueue(name);
          const q: BenchQueue = {
            async send(p: Payload) {
              await boss.send(name, p as unknown as object);
            },
            async sendBulk(payloads: Payload[]) {
              for (const chunk of chunks(payloads, BULK))
                await boss.insert(chunk.map((data) => ({ name, data })));
            },
            async consume(handler, concurrency): Promise<RunningConsumer> {
              const workers = variant.workers === 0 ? concurrency : variant.workers;
              for (let i = 0; i < workers; i++) {
                await boss.work<Payload>(
                  name,
                  { batchSize: variant.batchSize, pollingIntervalSeconds: POLL_SECONDS },
                  async (jobs) => {
                    for (const job of jobs) handler(job.data);
                  },
                );
              }
              return {
                async stop() {
                  await boss.offWork(name);
                  // offWork aborts the loops' sleeps but returns before a fetch in progress has finished
                  // (pg-boss 10 does not expose its workers' state): give that fetch time to end.
                  await sleep(STOP_SETTLE_MS);
                },
              };
            },
            async remaining() {
              const r = await admin.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM ${jobTable} WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
                [name],
              );
              return r.rows[0]!.n;
            },
            async dispose() {
              await boss.deleteQueue(name);
            },
          };
          return q;
        },
        async close() {
          await boss.stop({ graceful: true, wait: true, timeout: 5000 });
          await admin.end();
          await dropSchema(schema);
        },
      };
    },
  };
}

/** Like for like: 10 independent work() loops of one job each (concurrency 10). */
export const pgBossSingle = pgBoss({
  id: 'pg-boss',
  workers: 0,
  batchSize: 1,
  describe: '`work()` registered once per unit of concurrency (10 loops), batchSize 1',
});

/** pg-boss's batched way, as in reference/queue-peers.md: one work() loop fetching 100 jobs. */
export const pgBossBatch = pgBoss({
  id: 'pg-boss-batch100',
  workers: 1,
  batchSize: 100,
  describe: 'one `work()` loop with batchSize 100',
});
