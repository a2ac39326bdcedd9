import type { Database } from 'better-sqlite3';
import { BallastError } from '../../../core/errors.js';
import type { NewMessage, SendOptions, SendOutcome } from '../../contract.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';

const INSERT = `INSERT INTO messages (queue_id, message_id, body, attributes, md5_body, md5_attributes, group_id,
  dedup_id, trace_header, dlq_source_arn, sent_at, visible_at, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`;

/** Stores messages on `db` inside whatever transaction is open; returns one outcome each. */
export function insertMessages(
  db: Database,
  now: number,
  queueId: number,
  messages: readonly NewMessage[],
  options: SendOptions | undefined,
): SendOutcome[] {
  const dedup = options?.deduplication;
  const out: SendOutcome[] = [];
  for (const m of messages) {
    if (dedup && m.deduplicationId !== null) {
      const scope = dedup.perGroup ? (m.groupId ?? '') : '';
      const seen = stmt(
        db,
        'SELECT message_id, position, sent_at FROM dedup WHERE queue_id = ? AND scope = ? AND dedup_id = ? AND expires_at > ?',
      ).get(queueId, scope, m.deduplicationId, now) as
        { message_id: string; position: number; sent_at: number } | undefined;
      if (seen) {
        out.push({
          messageId: seen.message_id,
          position: seen.position,
          sentAt: seen.sent_at,
          duplicate: true,
        });
        continue;
      }
      const position = insertOne(db, now, queueId, m);
      stmt(
        db,
        `INSERT INTO dedup (queue_id, scope, dedup_id, message_id, position, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id,
           position = excluded.position, sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
      ).run(queueId, scope, m.deduplicationId, m.messageId, position, now, now + dedup.windowMs);
      out.push({ messageId: m.messageId, position, sentAt: now, duplicate: false });
      continue;
    }
    out.push({
      messageId: m.messageId,
      position: insertOne(db, now, queueId, m),
      sentAt: m.sentAt ?? now,
      duplicate: false,
    });
  }
  return out;
}

function insertOne(db: Database, now: number, queueId: number, m: NewMessage): number {
  const sentAt = m.sentAt ?? now;
  const row = stmt(db, INSERT).get(
    queueId,
    m.messageId,
    m.body,
    m.attributes === null ? null : JSON.stringify(m.attributes),
    m.md5OfBody,
    m.md5OfAttributes,
    m.groupId,
    m.deduplicationId,
    m.traceHeader,
    m.deadLetterSourceArn,
    sentAt,
    now + m.delayMs,
    sentAt + m.retentionMs,
  ) as { position: number };
  return row.position;
}

/** Stores messages inside the caller's open transaction on its own better-sqlite3 Database, synchronously. */
export function sendWithinSync(
  ctx: SqliteContext,
  queueId: number,
  messages: readonly NewMessage[],
  options: SendOptions & { transaction: unknown },
): SendOutcome[] {
  const db = options.transaction as Database;
  if (typeof db?.prepare !== 'function' || !db.inTransaction) {
    throw new BallastError(
      'InvalidParameterValue',
      'transaction must be a better-sqlite3 Database inside an open transaction',
    );
  }
  const out = insertMessages(db, ctx.now(), queueId, messages, options);
  // The caller's transaction commits after its synchronous body returns; wake consumers then
  // (a wake-up after a rollback only costs the consumers one empty look).
  setImmediate(() => ctx.wake.fire(queueId));
  return out;
}

/** Sends through the group commit, or inside the caller's own transaction when one is given. */
export function send(
  ctx: SqliteContext,
  queueId: number,
  messages: readonly NewMessage[],
  options?: SendOptions,
): Promise<SendOutcome[]> {
  if (options?.transaction !== undefined) {
    return Promise.resolve(
      sendWithinSync(ctx, queueId, messages, { ...options, transaction: options.transaction }),
    );
  }
  return ctx.commit.run(() => {
    const out = insertMessages(ctx.db, ctx.now(), queueId, messages, options);
    ctx.wakeAfterCommit(queueId);
    return out;
  });
}
