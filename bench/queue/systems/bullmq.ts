import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, redisFacts } from '../services.js';
import type { BenchQueue, Payload, QueueSystem, RunningConsumer } from '../types.js';
import { chunks } from '../workload.js';
import { packageVersion } from '../versions.js';

/** Jobs per addBulk call. */
const BULK = 1000;

function connection() {
  const u = new URL(REDIS_URL);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

/** Deletes every key under `prefix:` (SCAN + UNLINK). */
async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** BullMQ on Redis, default job options (completed jobs are kept, as BullMQ does by default). */
export const bullmq: QueueSystem = {
  id: 'bullmq',
  async facts() {
    const redis = await redisFacts();
    const persistent =
      redis.appendonly === 'yes'
        ? `AOF on, appendfsync ${redis.appendfsync}`
        : redis.save
          ? `RDB snapshots only (save "${redis.save}")`
          : 'no RDB snapshots, no AOF';
    const durable = redis.appendonly === 'yes' && redis.appendfsync === 'always';
    return {
      label: `BullMQ ${packageVersion('bullmq')} on Redis ${redis.version}`,
      versions: {
        bullmq: packageVersion('bullmq'),
        ioredis: packageVersion('ioredis'),
        redis: redis.version,
      },
      durability: durable
        ? `Durable per ack: Redis runs with AOF and appendfsync always.`
        : `**Not durable**: this Redis keeps ${persistent} — acknowledged adds and completions live only in memory; a Redis crash or restart loses them.`,
      bulkMethod: `\`queue.addBulk\` of ${BULK} jobs, one call at a time`,
      consumeMethod:
        '`new Worker(name, fn, { concurrency: 10 })`; done = `getJobCounts` shows 0 waiting, active, delayed, prioritized (jobs move to the completed set, which BullMQ keeps by default)',
      notes: ['Fresh key prefix `bench-<run>` per run; all its keys are deleted afterwards.'],
    };
  },
  async open(run) {
    const prefix = `bench-${run}`;
    await deleteKeys(prefix);
    const queues: Queue[] = [];
    return {
      async queue(phase) {
        const name = `q-${phase}`;
        const queue = new Queue(name, { connection: connection(), prefix });
        await queue.waitUntilReady();
        queues.push(queue);
        const q: BenchQueue = {
          async send(p: Payload) {
            await queue.add('bench', p);
          },
          async sendBulk(payloads: Payload[]) {
            for (const chunk of chunks(payloads, BULK))
              await queue.addBulk(chunk.map((data) => ({ name: 'bench', data })));
          },
          async consume(handler, concurrency): Promise<RunningConsumer> {
            const worker = new Worker(
              name,
              async (job) => {
                handler(job.data as Payload);
              },
              { connection: connection(), prefix, concurrency },
            );
            await worker.waitUntilReady();
            return { stop: () => worker.close() };
          },
          async remaining() {
            const c = await queue.getJobCounts(
              'wait',
              'active',
              'delayed',
              'prioritized',
              'waiting-children',
            );
            return Object.values(c).reduce((a, b) => a + b, 0);
          },
          async dispose() {
            await queue.obliterate({ force: true });
          },
        };
        return q;
      },
      async close() {
        for (const q of queues) await q.close();
        await deleteKeys(prefix);
      },
    };
  },
};
