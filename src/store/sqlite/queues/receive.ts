import type { Database } from 'better-sqlite3';
import type { ReceiveRequest, StoredMessage } from '../../contract.js';
import { fairWindow, pickFair } from '../../shared/fair.js';
import type { SqliteContext } from '../core/context.js';
import { type MessageRow, toStoredMessage } from './rows.js';
import { stmt } from '../core/statements.js';

/** What a claim needs to know of a candidate (the full row comes back from the claim itself). */
type Candidate = Pick<
  MessageRow,
  'position' | 'visible_at' | 'expires_at' | 'receive_count' | 'sent_at' | 'group_id'
>;
const CANDIDATE_COLUMNS = 'position, visible_at, expires_at, receive_count, sent_at, group_id';

const STANDARD_CANDIDATES = `SELECT ${CANDIDATE_COLUMNS} FROM messages WHERE queue_id = ? AND visible_at <= ?
  ORDER BY visible_at, position LIMIT ?`;

// A FIFO message is receivable when no earlier message of its group is hidden (delayed or in
// flight) and no later one of its group is in flight.
const FIFO_CANDIDATES = `SELECT m.position, m.visible_at, m.expires_at, m.receive_count, m.sent_at, m.group_id
  FROM messages m WHERE m.queue_id = ? AND m.visible_at <= ?
  AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.queue_id = m.queue_id AND p.group_id = m.group_id
    AND p.visible_at > ? AND (p.position < m.position OR p.receive_count > 0))
  ORDER BY m.position LIMIT ?`;

// One statement claims the whole batch; each row gets its own token from SQLite's
// cryptographic-quality PRNG (randomblob), 32 hex characters.
const CLAIM = `UPDATE messages SET visible_at = ?, receive_count = receive_count + 1,
  first_received_at = coalesce(first_received_at, ?), received_at = ?, receipt = lower(hex(randomblob(16)))
  WHERE position IN (SELECT value FROM json_each(?)) RETURNING *`;

// A dead-lettered message gets a new position: in the DLQ it is ordered by its arrival there.
const TO_DEAD_LETTER = `INSERT INTO messages (queue_id, message_id, body, attributes, md5_body, md5_attributes, group_id,
  dedup_id, trace_header, dlq_source_arn, sent_at, visible_at, expires_at)
  SELECT ?, message_id, body, attributes, md5_body, md5_attributes, group_id, dedup_id, trace_header, ?, ?, ?, ?
  FROM messages WHERE position = ?`;

/** Claims messages (see QueueStore.receive) in one group-committed transaction. */
export function receive(
  ctx: SqliteContext,
  queueId: number,
  req: ReceiveRequest,
): Promise<StoredMessage[]> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    if (req.attempt) {
      const replay = replayAttempt(ctx.db, queueId, req, now);
      if (replay) return replay;
    }
    const claimed = claim(ctx, queueId, req, now);
    if (req.attempt && claimed.length > 0) {
      stmt(
        ctx.db,
        `INSERT INTO receive_attempts (queue_id, attempt_id, created_at, claims) VALUES (?, ?, ?, ?)
         ON CONFLICT (queue_id, attempt_id) DO UPDATE SET created_at = excluded.created_at, claims = excluded.claims`,
      ).run(
        queueId,
        req.attempt.id,
        now,
        JSON.stringify(claimed.map((m) => [m.position, m.receiptToken])),
      );
    }
    return claimed;
    // A claim lost to a power failure only makes its messages visible again: no fsync needed.
  }, false);
}

function claim(
  ctx: SqliteContext,
  queueId: number,
  req: ReceiveRequest,
  now: number,
): StoredMessage[] {
  const { db } = ctx;
  const out: StoredMessage[] = [];
  // Expired and dead-lettered candidates are consumed without being returned, so look again
  // (a bounded number of times) until `max` are claimed or nothing is left.
  for (let round = 0; round < 4 && out.length < req.max; round++) {
    const want = req.max - out.length;
    let rows = (
      req.fifo
        ? stmt(db, FIFO_CANDIDATES).all(queueId, now, now, want)
        : stmt(db, STANDARD_CANDIDATES).all(queueId, now, want)
    ) as Candidate[];
    if (rows.length === 0) break;
    // Tenants (group ids) on a standard queue: a fair queue.
    if (!req.fifo && rows.some((r) => r.group_id !== null))
      rows = fairCandidates(db, queueId, now, want);
    let skipped = 0;
    const take: number[] = [];
    for (const row of rows) {
      if (row.expires_at <= now) {
        stmt(db, 'DELETE FROM messages WHERE position = ?').run(row.position);
        skipped++;
        continue;
      }
      const dl = req.deadLetter;
      if (dl && row.receive_count >= dl.maxReceiveCount) {
        const sentAt = dl.resetSentAt ? now : row.sent_at;
        stmt(db, TO_DEAD_LETTER).run(
          dl.queueId,
          dl.sourceArn,
          sentAt,
          now,
          sentAt + dl.retentionMs,
          row.position,
        );
        stmt(db, 'DELETE FROM messages WHERE position = ?').run(row.position);
        ctx.wakeAfterCommit(dl.queueId);
        skipped++;
        continue;
      }
      take.push(row.position);
    }
    if (take.length > 0) {
      const claimed = stmt(db, CLAIM).all(
        now + req.visibilityMs,
        now,
        now,
        JSON.stringify(take),
      ) as MessageRow[];
      // RETURNING gives no order: keep the dequeue order of the candidates.
      const byPosition = new Map(claimed.map((r) => [r.position, r]));
      for (const position of take) {
        const r = byPosition.get(position);
        if (r) out.push(toStoredMessage(r));
      }
    }
    if (skipped === 0) break;
  }
  return out;
}

const NEWEST_CANDIDATES = `SELECT ${CANDIDATE_COLUMNS} FROM messages WHERE queue_id = ? AND visible_at <= ?
  ORDER BY visible_at DESC, position DESC LIMIT ?`;
const IN_FLIGHT_BY_GROUP = `SELECT group_id, count(*) AS n FROM messages
  WHERE queue_id = ? AND group_id IS NOT NULL AND group_id IN (SELECT value FROM json_each(?))
    AND receive_count > 0 AND visible_at > ?
  GROUP BY group_id`;

/** Fair-queue candidates: `want` rows picked from both ends of the backlog by tenant load (see store/fair.ts). */
function fairCandidates(db: Database, queueId: number, now: number, want: number): Candidate[] {
  const window = fairWindow(want);
  const byPosition = new Map<number, Candidate>();
  for (const r of stmt(db, STANDARD_CANDIDATES).all(queueId, now, window) as Candidate[])
    byPosition.set(r.position, r);
  for (const r of stmt(db, NEWEST_CANDIDATES).all(queueId, now, window) as Candidate[])
    byPosition.set(r.position, r);
  const all = [...byPosition.values()].sort(
    (a, b) => a.visible_at - b.visible_at || a.position - b.position,
  );
  const groups = [...new Set(all.map((r) => r.group_id).filter((g): g is string => g !== null))];
  const counts = stmt(db, IN_FLIGHT_BY_GROUP).all(queueId, JSON.stringify(groups), now) as {
    group_id: string;
    n: number;
  }[];
  const inFlight = new Map<string | null, number>(counts.map((c) => [c.group_id, c.n]));
  const picked = pickFair(
    all.map((r) => ({ position: r.position, groupId: r.group_id })),
    inFlight,
    want,
  );
  return picked.map((p) => byPosition.get(p)!);
}

function replayAttempt(
  db: Database,
  queueId: number,
  req: ReceiveRequest,
  now: number,
): StoredMessage[] | undefined {
  const attempt = req.attempt!;
  const row = stmt(
    db,
    'SELECT created_at, claims FROM receive_attempts WHERE queue_id = ? AND attempt_id = ?',
  ).get(queueId, attempt.id) as { created_at: number; claims: string } | undefined;
  if (!row || now - row.created_at >= attempt.windowMs) return undefined;
  const claims = JSON.parse(row.claims) as [number, string][];
  const rows: MessageRow[] = [];
  for (const [position, token] of claims) {
    const m = stmt(db, 'SELECT * FROM messages WHERE position = ? AND queue_id = ?').get(
      position,
      queueId,
    ) as MessageRow | undefined;
    // Deleted, re-received or changed since: the attempt cannot be replayed.
    if (!m || m.receipt !== token || m.received_at === null) return undefined;
    rows.push(m);
  }
  return rows.map((m) => {
    const reset = stmt(db, 'UPDATE messages SET visible_at = ? WHERE position = ? RETURNING *').get(
      now + req.visibilityMs,
      m.position,
    ) as MessageRow;
    return toStoredMessage(reset);
  });
}
