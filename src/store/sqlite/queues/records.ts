import type { CreateQueueResult, QueueRecord } from '../../contract.js';
import type { QueueSettings } from '../../queue-settings.js';
import type { SqliteContext } from '../core/context.js';
import { type QueueRow, toQueueRecord } from './rows.js';
import { stmt } from '../core/statements.js';

const LIVE = 'SELECT * FROM queues WHERE name = ? AND deleted_at IS NULL';

/** Creates a queue unless the name is taken (see QueueStore.createQueue). */
export function createQueue(
  ctx: SqliteContext,
  name: string,
  settings: QueueSettings,
  tags: Record<string, string>,
  cooldownMs: number,
): Promise<CreateQueueResult> {
  return ctx.commit.run(() => {
    const { db } = ctx;
    const now = ctx.now();
    const live = stmt(db, LIVE).get(name) as QueueRow | undefined;
    if (live) return { status: 'exists', queue: toQueueRecord(live) };
    const deleted = stmt(
      db,
      'SELECT max(deleted_at) AS at FROM queues WHERE name = ? AND deleted_at IS NOT NULL',
    ).get(name) as { at: number | null };
    if (deleted.at !== null && now - deleted.at < cooldownMs) {
      return { status: 'deletedRecently', deletedAt: deleted.at };
    }
    const row = stmt(
      db,
      `INSERT INTO queues (name, settings, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?) RETURNING *`,
    ).get(name, JSON.stringify(settings), JSON.stringify(tags), now, now) as QueueRow;
    return { status: 'created', queue: toQueueRecord(row) };
  });
}

/** The live queue of this name. */
export function getQueue(ctx: SqliteContext, name: string): QueueRecord | undefined {
  const row = stmt(ctx.db, LIVE).get(name) as QueueRow | undefined;
  return row && toQueueRecord(row);
}

/** Live queues by name prefix, paged by name. */
export function listQueues(
  ctx: SqliteContext,
  prefix: string,
  afterName: string | null,
  limit: number,
): QueueRecord[] {
  // substr() rather than LIKE: queue names may contain `_`, a LIKE wildcard.
  const rows = stmt(
    ctx.db,
    `SELECT * FROM queues WHERE deleted_at IS NULL AND substr(name, 1, ?) = ? AND name > ?
     ORDER BY name LIMIT ?`,
  ).all(prefix.length, prefix, afterName ?? '', limit) as QueueRow[];
  return rows.map(toQueueRecord);
}

/** Replaces settings and/or tags. */
export function updateQueue(
  ctx: SqliteContext,
  queueId: number,
  change: { settings?: QueueSettings; tags?: Record<string, string> },
): Promise<QueueRecord | undefined> {
  return ctx.commit.run(() => {
    const row = stmt(
      ctx.db,
      `UPDATE queues SET settings = coalesce(?, settings), tags = coalesce(?, tags), modified_at = ?
       WHERE id = ? AND deleted_at IS NULL RETURNING *`,
    ).get(
      change.settings ? JSON.stringify(change.settings) : null,
      change.tags ? JSON.stringify(change.tags) : null,
      ctx.now(),
      queueId,
    ) as QueueRow | undefined;
    return row && toQueueRecord(row);
  });
}

/** Marks the queue deleted and removes its messages. */
export function deleteQueue(ctx: SqliteContext, queueId: number): Promise<boolean> {
  return ctx.commit.run(() => {
    const { db } = ctx;
    const r = stmt(db, 'UPDATE queues SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(
      ctx.now(),
      queueId,
    );
    if (r.changes === 0) return false;
    stmt(db, 'DELETE FROM messages WHERE queue_id = ?').run(queueId);
    stmt(db, 'DELETE FROM dedup WHERE queue_id = ?').run(queueId);
    stmt(db, 'DELETE FROM receive_attempts WHERE queue_id = ?').run(queueId);
    return true;
  });
}

/** Removes all messages unless purged within the cooldown. */
export function purgeQueue(
  ctx: SqliteContext,
  queueId: number,
  cooldownMs: number,
): Promise<boolean> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const r = stmt(
      ctx.db,
      `UPDATE queues SET purged_at = ? WHERE id = ? AND deleted_at IS NULL
       AND (purged_at IS NULL OR purged_at <= ?)`,
    ).run(now, queueId, now - cooldownMs);
    if (r.changes === 0) return false;
    stmt(ctx.db, 'DELETE FROM messages WHERE queue_id = ?').run(queueId);
    return true;
  });
}

/** Ids of live queues. */
export function listQueueIds(ctx: SqliteContext): number[] {
  return (
    stmt(ctx.db, 'SELECT id FROM queues WHERE deleted_at IS NULL').all() as { id: number }[]
  ).map((r) => r.id);
}
