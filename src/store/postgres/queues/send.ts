import { BallastError } from '../../../core/errors.js';
import type { NewMessage, SendOptions, SendOutcome } from '../../contract.js';
import type { PgBase, PgContext, SendJob } from '../core/context.js';
import { ident, type Sql } from '../core/db.js';
import { toStoreError } from '../core/errors.js';
import { claimDedupIds, type DedupClaim, dedupKey, readOriginals } from './queries/dedup.js';
import {
  allocatePositions,
  insertMessages,
  type MessageInsert,
} from './queries/insert-messages.js';

/**
 * Stores messages (see QueueStore.send): through the group commit, or on the caller's own
 * client inside the caller's transaction (transactional outbox). In the latter case the
 * NOTIFY rides in the caller's transaction, so no wake-up happens before the caller commits.
 */
export function send(
  ctx: PgContext,
  queueId: number,
  messages: readonly NewMessage[],
  options?: SendOptions,
): Promise<SendOutcome[]> {
  if (messages.length === 0) return Promise.resolve([]);
  const job: SendJob = { queueId, messages, deduplication: options?.deduplication };
  const tx = options?.transaction;
  if (tx !== undefined) return sendInTransaction(ctx, tx, job);
  return ctx.sends.submit(job);
}

/** Writes every job of one group commit in ONE transaction, then wakes local listeners. */
export async function writeSendBatch(ctx: PgBase, jobs: SendJob[]): Promise<SendOutcome[][]> {
  const out = await ctx.db.tx((sql) => writeJobs(ctx, sql, jobs), 'send');
  for (const queueId of new Set(jobs.map((j) => j.queueId))) ctx.wake.fire(queueId);
  return out;
}

async function sendInTransaction(ctx: PgBase, tx: unknown, job: SendJob): Promise<SendOutcome[]> {
  const client = tx as Partial<Sql> & { getTransactionStatus?: () => string | null };
  if (typeof tx !== 'object' || tx === null || typeof client.query !== 'function') {
    throw new BallastError(
      'InvalidParameterValue',
      'transaction must be a pg Client or PoolClient inside BEGIN',
    );
  }
  // 'T' = inside a transaction block, 'I' = idle (autocommit), 'E' = failed transaction.
  const status =
    typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : 'T';
  if (status !== 'T' && status !== null) {
    throw new BallastError(
      'InvalidParameterValue',
      status === 'E'
        ? 'the caller transaction has failed; roll it back'
        : 'transaction must be a pg client inside BEGIN',
    );
  }
  const sql = tx as Sql;
  try {
    // The caller's connection has its own search_path: point it at our schema for our
    // statements only (transaction-local), then put the caller's back.
    const { rows } = await sql.query<{ previous: string }>(
      `SELECT current_setting('search_path') AS previous, set_config('search_path', $1, true)`,
      [ident(ctx.schema)],
    );
    try {
      const [out] = await writeJobs(ctx, sql, [job]);
      return out ?? [];
    } finally {
      await sql
        .query(`SELECT set_config('search_path', $1, true)`, [rows[0]!.previous])
        .catch(() => undefined);
    }
  } catch (error) {
    throw toStoreError(error, 'send');
  }
}

function toInsert(queueId: number, m: NewMessage, position: number | null): MessageInsert {
  return {
    position,
    queueId,
    messageId: m.messageId,
    body: m.body,
    attributes: m.attributes === null ? null : JSON.stringify(m.attributes),
    md5Body: m.md5OfBody,
    md5Attributes: m.md5OfAttributes,
    groupId: m.groupId,
    dedupId: m.deduplicationId,
    traceHeader: m.traceHeader,
    dlqSourceArn: m.deadLetterSourceArn,
    sentAt: m.sentAt,
    delayMs: m.delayMs,
    retentionMs: m.retentionMs,
  };
}

/** Writes jobs in order on `sql` (inside a transaction); one outcome list per job. */
export async function writeJobs(
  ctx: PgBase,
  sql: Sql,
  jobs: readonly SendJob[],
): Promise<SendOutcome[][]> {
  const queues = [...new Set(jobs.map((j) => j.queueId))];
  const deduplicating = jobs.some(
    (j) => j.deduplication && j.messages.some((m) => m.deduplicationId !== null),
  );
  if (deduplicating) return writeDeduplicated(ctx, sql, jobs, queues);
  const rows = jobs.flatMap((j) => j.messages.map((m) => toInsert(j.queueId, m, null)));
  const { positions, now } = await insertMessages(sql, ctx.nowParam(), rows, ctx.channel, queues);
  let k = 0;
  return jobs.map((j) =>
    j.messages.map((m) => ({
      messageId: m.messageId,
      position: positions[k++]!,
      sentAt: m.sentAt ?? now,
      duplicate: false,
    })),
  );
}

type Step =
  | { readonly kind: 'plain' }
  /** First message of the batch with this deduplication id: it claims the id. */
  | { readonly kind: 'claim'; readonly key: string; readonly index: number }
  /** A later message with an id claimed earlier in this batch. */
  | { readonly kind: 'repeat'; readonly key: string };

/**
 * FIFO deduplication, race-free across nodes: positions are allocated first, the batch's
 * distinct ids are claimed with INSERT … ON CONFLICT (see queries/dedup.ts), and only the
 * messages whose claim won are inserted. Losers answer with the original message.
 */
async function writeDeduplicated(
  ctx: PgBase,
  sql: Sql,
  jobs: readonly SendJob[],
  queues: readonly number[],
): Promise<SendOutcome[][]> {
  const total = jobs.reduce((n, j) => n + j.messages.length, 0);
  const { positions, now } = await allocatePositions(sql, ctx.nowParam(), total);
  const claims: DedupClaim[] = [];
  const claimed = new Map<string, number>();
  const steps: Step[] = [];
  let k = 0;
  for (const job of jobs) {
    for (const m of job.messages) {
      const position = positions[k++]!;
      const dedup = job.deduplication;
      if (!dedup || m.deduplicationId === null) {
        steps.push({ kind: 'plain' });
        continue;
      }
      const scope = dedup.perGroup ? (m.groupId ?? '') : '';
      const key = dedupKey(job.queueId, scope, m.deduplicationId);
      if (claimed.has(key)) {
        steps.push({ kind: 'repeat', key });
        continue;
      }
      claimed.set(key, claims.length);
      steps.push({ kind: 'claim', key, index: claims.length });
      claims.push({
        queueId: job.queueId,
        scope,
        dedupId: m.deduplicationId,
        messageId: m.messageId,
        position,
        sentAt: now,
        expiresAt: now + dedup.windowMs,
      });
    }
  }
  const won = await claimDedupIds(sql, claims);
  const lost = claims.filter((c) => !won.has(dedupKey(c.queueId, c.scope, c.dedupId)));
  const originals = lost.length > 0 ? await readOriginals(sql, lost) : new Map();
  const answerFor = (key: string): SendOutcome => {
    const winner = won.has(key) ? claims[claimed.get(key)!] : undefined;
    const original = winner
      ? { messageId: winner.messageId, position: winner.position, sentAt: now }
      : originals.get(key);
    // The conflicting row stays locked by our ON CONFLICT, so it cannot vanish; if it did, start over.
    if (!original)
      throw Object.assign(new Error('deduplication id vanished during send'), { code: '40001' });
    return { ...original, duplicate: true };
  };

  const inserts: MessageInsert[] = [];
  const outcomes: SendOutcome[][] = [];
  k = 0;
  for (const job of jobs) {
    const out: SendOutcome[] = [];
    for (const m of job.messages) {
      const step = steps[k]!;
      const position = positions[k++]!;
      if (step.kind === 'repeat' || (step.kind === 'claim' && !won.has(step.key))) {
        out.push(answerFor(step.key));
        continue;
      }
      inserts.push(toInsert(job.queueId, m, position));
      out.push({
        messageId: m.messageId,
        position,
        sentAt: step.kind === 'claim' ? now : (m.sentAt ?? now),
        duplicate: false,
      });
    }
    outcomes.push(out);
  }
  if (inserts.length > 0) await insertMessages(sql, now, inserts, ctx.channel, queues);
  return outcomes;
}
