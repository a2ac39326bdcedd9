import { newReceiptToken } from '../../../core/ids.js';
import type { ReceiveRequest, StoredMessage } from '../../contract.js';
import type { PgBase } from '../core/context.js';
import type { Sql } from '../core/db.js';
import { readAttempt, replayAttempt, saveAttempt } from './queries/attempts.js';
import { fairWindow, pickFair } from '../../shared/fair.js';
import {
  claimFast,
  claimMessages,
  deleteExpired,
  selectFairCandidates,
  lockFifoQueue,
  moveToDeadLetter,
  selectCandidates,
} from './queries/claim.js';
import { inPositionOrder, toStoredMessage } from './rows.js';

/** Rounds of "look again" when expired or dead-lettered candidates used up the limit. */
const MAX_ROUNDS = 4;

/**
 * Claims messages (see QueueStore.receive) in one transaction: candidates locked with
 * `FOR UPDATE SKIP LOCKED` in dequeue order; expired ones deleted, ones past `maxReceiveCount`
 * moved to the dead-letter queue, the rest claimed with fresh receipt tokens. FIFO queues also
 * take the queue's advisory lock first (see `lockFifoQueue`).
 */
export async function receive(
  ctx: PgBase,
  queueId: number,
  req: ReceiveRequest,
): Promise<StoredMessage[]> {
  if (!req.fifo && !req.attempt) {
    // Standard queues: one statement claims in the common case.
    const fast = await ctx.db.write(
      (sql) =>
        claimFast(
          sql,
          queueId,
          ctx.nowParam(),
          req.max,
          req.visibilityMs,
          req.deadLetter?.maxReceiveCount ?? null,
        ),
      'receive',
    );
    const messages = fast.rows.map(toStoredMessage);
    if (fast.skipped === 0 || messages.length >= req.max) return messages;
    // Expired or dead-letter candidates were seen: the full path deals with them.
    return [
      ...messages,
      ...(await receiveInTransaction(ctx, queueId, { ...req, max: req.max - messages.length })),
    ];
  }
  return receiveInTransaction(ctx, queueId, req);
}

async function receiveInTransaction(
  ctx: PgBase,
  queueId: number,
  req: ReceiveRequest,
): Promise<StoredMessage[]> {
  const woken = new Set<number>();
  const out = await ctx.db.tx(async (sql) => {
    woken.clear();
    if (req.fifo) await lockFifoQueue(sql, ctx.locks.fifoClass, queueId);
    let now = ctx.nowParam();
    if (req.attempt) {
      const stored = await readAttempt(sql, queueId, req.attempt.id, now);
      now = stored.now;
      if (stored.attempt && now - stored.attempt.createdAt < req.attempt.windowMs) {
        const replayed = await replayAttempt(sql, queueId, stored.attempt, now, req.visibilityMs);
        if (replayed) return replayed.map(toStoredMessage);
      }
    }
    const claimed = await claim(ctx, sql, queueId, req, now, woken);
    if (req.attempt && claimed.messages.length > 0) {
      const claims = claimed.messages.map((m) => [m.position, m.receiptToken] as const);
      await saveAttempt(sql, queueId, req.attempt.id, claimed.now!, claims);
    }
    return claimed.messages;
  }, 'receive');
  for (const id of woken) ctx.wake.fire(id);
  return out;
}

async function claim(
  ctx: PgBase,
  sql: Sql,
  queueId: number,
  req: ReceiveRequest,
  nowParam: number | null,
  woken: Set<number>,
): Promise<{ now: number | null; messages: StoredMessage[] }> {
  const messages: StoredMessage[] = [];
  let now = nowParam;
  for (let round = 0; round < MAX_ROUNDS && messages.length < req.max; round++) {
    const want = req.max - messages.length;
    const found = await selectCandidates(sql, queueId, req.fifo, now, want);
    if (found.candidates.length === 0 || found.now === null) break;
    // Every later statement of this receive uses the same `now`.
    now = found.now;
    if (!req.fifo && found.candidates.some((c) => c.groupId !== null)) {
      // Tenants on a standard queue: a fair queue (see store/fair.ts).
      const fair = await selectFairCandidates(sql, queueId, now, fairWindow(want));
      const ready = fair.candidates.filter(
        (c) =>
          c.expiresAt > now! &&
          !(req.deadLetter && c.receiveCount >= req.deadLetter.maxReceiveCount),
      );
      const picked = new Set(pickFair(ready, fair.inFlight, want));
      found.candidates = fair.candidates.filter(
        (c) => picked.has(c.position) || !ready.includes(c),
      );
    }
    const expired: number[] = [];
    const dead: number[] = [];
    const take: number[] = [];
    const dl = req.deadLetter;
    for (const c of found.candidates) {
      if (c.expiresAt <= now) expired.push(c.position);
      else if (dl && c.receiveCount >= dl.maxReceiveCount) dead.push(c.position);
      else take.push(c.position);
    }
    if (expired.length > 0) await deleteExpired(sql, expired);
    if (dl && dead.length > 0) {
      await moveToDeadLetter(sql, ctx.channel, now, dead, dl);
      woken.add(dl.queueId);
    }
    if (take.length > 0) {
      const rows = await claimMessages(
        sql,
        now,
        req.visibilityMs,
        take,
        take.map(() => newReceiptToken()),
      );
      for (const row of inPositionOrder(rows, take)) messages.push(toStoredMessage(row));
    }
    if (expired.length + dead.length === 0) break;
  }
  return { now, messages };
}
