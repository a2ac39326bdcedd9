import type { QueueSend } from '../../bus-contract.js';
import type { PgBase, SendJob } from '../core/context.js';
import type { Sql } from '../core/db.js';
import { writeJobs } from '../queues/send.js';

/**
 * Writes a bus's queue messages inside its transaction through the send path itself (positions,
 * deduplication, and the queues' NOTIFY at commit, exactly as a send). Returns the queue ids to
 * wake locally once the transaction has committed.
 */
export async function writeQueueSends(
  ctx: PgBase,
  sql: Sql,
  sends: readonly QueueSend[],
): Promise<number[]> {
  const jobs: SendJob[] = sends
    .filter((s) => s.messages.length > 0)
    .map((s) => ({
      queueId: s.queueId,
      messages: s.messages,
      deduplication: s.options?.deduplication,
    }));
  if (jobs.length === 0) return [];
  await writeJobs(ctx, sql, jobs);
  return [...new Set(jobs.map((j) => j.queueId))];
}
