import { Logger, makeWorkerUtils, run, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { dropSchema, PG_URL, postgresFacts } from '../services.js';
import type { BenchQueue, Payload, QueueSystem, RunningConsumer } from '../types.js';
import { chunks } from '../workload.js';
import { packageVersion } from '../versions.js';

/** Jobs per addJobs call. */
const BULK = 1000;

const quiet = new Logger(() => () => undefined);

interface Variant {
  id: string;
  /** Label suffix. */
  tuning: string;
  /** Extra worker preset options. */
  preset: { localQueue?: { size: number }; completeJobBatchDelay?: number };
}

function graphileWorker(variant: Variant, maxRuns?: number): QueueSystem {
  return {
    id: variant.id,
    ...(maxRuns !== undefined ? { maxRuns } : {}),
    async facts() {
      const pg = await postgresFacts();
      return {
        label: `graphile-worker ${packageVersion('graphile-worker')} on ${pg.version.split(' ').slice(0, 2).join(' ')}, ${variant.tuning}`,
        versions: { 'graphile-worker': packageVersion('graphile-worker'), postgresql: pg.version },
        durability: `Durable per ack: addJob commits a row; completion deletes it in a committed transaction (\`synchronous_commit=${pg.synchronousCommit}\`).${
          variant.preset.localQueue
            ? ` With localQueue, up to ${variant.preset.localQueue.size} fetched jobs sit locked in the worker; a crash leaves them locked until the lock times out (4 h by default).`
            : ''
        }`,
        bulkMethod: `\`workerUtils.addJobs\` of ${BULK} jobs, one call at a time`,
        consumeMethod: `\`run({ concurrency: 10, ${
          variant.preset.localQueue
            ? `preset.worker.localQueue.size: ${variant.preset.localQueue.size}, completeJobBatchDelay: 0`
            : 'default preset'
        } })\`; done = no row left in \`_private_jobs\` (graphile-worker deletes completed jobs)`,
        notes: [
          `Fresh schema \`bench_${variant.id.replace(/-/g, '_')}_<run>\` per run, dropped afterwards; a new runner is started for each consume phase.`,
        ],
      };
    },
    async open(runNo) {
      const schema = `bench_${variant.id.replace(/-/g, '_')}_${runNo}`;
      await dropSchema(schema);
      const utils: WorkerUtils = await makeWorkerUtils({
        connectionString: PG_URL,
        schema,
        logger: quiet,
      });
      await utils.migrate();
      const jobs = `"${schema}"._private_jobs`;
      const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
      return {
        async queue() {
          const q: BenchQueue = {
            async send(p: Payload) {
              await utils.addJob('bench', p);
            },
            async sendBulk(payloads: Payload[]) {
              for (const chunk of chunks(payloads, BULK))
                await utils.addJobs(chunk.map((payload) => ({ identifier: 'bench', payload })));
            },
            async consume(handler, concurrency): Promise<RunningConsumer> {
              const runner = await run({
                connectionString: PG_URL,
                schema,
                concurrency,
                noHandleSignals: true,
                logger: quiet,
                preset: { worker: { ...variant.preset } },
                taskList: {
                  bench: async (payload) => {
                    handler(payload as Payload);
                  },
                },
              });
              return { stop: () => runner.stop() };
            },
            async remaining() {
              return (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${jobs}`))
                .rows[0]!.n;
            },
            async dispose() {
              await admin.query(`DELETE FROM ${jobs}`);
            },
          };
          return q;
        },
        async close() {
          await utils.release();
          await admin.end();
          await dropSchema(schema);
        },
      };
    },
  };
}

/** graphile-worker tuned as in reference/queue-peers.md: localQueue of 100, completions not delayed. */
export const graphileWorkerTuned = graphileWorker({
  id: 'graphile-worker',
  tuning: 'localQueue.size=100, completeJobBatchDelay=0',
  preset: { localQueue: { size: 100 }, completeJobBatchDelay: 0 },
});

/**
 * graphile-worker with a local queue as large as Ballast's adaptive buffer at concurrency 10
 * (40 × 10): checks that Ballast's larger claims are not the whole difference.
 */
export const graphileWorkerLargeQueue = graphileWorker(
  {
    id: 'graphile-worker-lq400',
    tuning: 'localQueue.size=400, completeJobBatchDelay=0',
    preset: { localQueue: { size: 400 }, completeJobBatchDelay: 0 },
  },
  1,
);

/** graphile-worker with its defaults. */
export const graphileWorkerDefaults = graphileWorker(
  { id: 'graphile-worker-defaults', tuning: 'defaults', preset: {} },
  1,
);
