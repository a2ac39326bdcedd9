import type { CreateQueueResult, QueueRecord } from '../../contract.js';
import type { QueueSettings } from '../../queue-settings.js';
import type { PgBase } from '../core/context.js';
import { type QueueRow, toQueueRecord } from './rows.js';

const COLUMNS = 'id, name, settings, tags, created_at, modified_at, purged_at';
const NOW = 'coalesce($1::bigint, ballast_now_ms())';

/**
 * Creates a queue unless the name is taken (see QueueStore.createQueue). A transaction-level
 * advisory lock on the name serializes creators of one name across nodes, so the cooldown
 * check and the insert cannot interleave.
 */
export function createQueue(
  ctx: PgBase,
  name: string,
  settings: QueueSettings,
  tags: Record<string, string>,
  cooldownMs: number,
): Promise<CreateQueueResult> {
  return ctx.db.tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [
      ctx.locks.queueNameClass,
      name,
    ]);
    const { rows } = await c.query<{
      now: number;
      live: QueueRow | null;
      deleted_at: number | null;
    }>(
      `SELECT ${NOW} AS now,
         (SELECT to_jsonb(q) FROM (SELECT ${COLUMNS} FROM queues WHERE name = $2 AND deleted_at IS NULL) q) AS live,
         (SELECT max(deleted_at) FROM queues WHERE name = $2 AND deleted_at IS NOT NULL) AS deleted_at`,
      [ctx.nowParam(), name],
    );
    const row = rows[0]!;
    if (row.live) return { status: 'exists', queue: toQueueRecord(row.live) };
    if (row.deleted_at !== null && row.now - row.deleted_at < cooldownMs) {
      return { status: 'deletedRecently', deletedAt: row.deleted_at };
    }
    const inserted = await c.query<QueueRow>(
      `INSERT INTO queues (name, settings, tags, created_at, modified_at) VALUES ($1, $2, $3, $4, $4)
       RETURNING ${COLUMNS}`,
      [name, JSON.stringify(settings), JSON.stringify(tags), row.now],
    );
    return { status: 'created', queue: toQueueRecord(inserted.rows[0]!) };
  }, 'createQueue');
}

/** The live queue of this name. */
export async function getQueue(ctx: PgBase, name: string): Promise<QueueRecord | undefined> {
  const rows = await ctx.db.read<QueueRow>(
    `SELECT ${COLUMNS} FROM queues WHERE name = $1 AND deleted_at IS NULL`,
    [name],
  );
  return rows[0] && toQueueRecord(rows[0]);
}

/** Live queues by literal name prefix, paged by name. */
export async function listQueues(
  ctx: PgBase,
  prefix: string,
  afterName: string | null,
  limit: number,
): Promise<QueueRecord[]> {
  // left() rather than LIKE: queue names may contain `_`, a LIKE wildcard.
  const rows = await ctx.db.read<QueueRow>(
    `SELECT ${COLUMNS} FROM queues WHERE deleted_at IS NULL AND left(name, $1) = $2 AND name > $3
     ORDER BY name LIMIT $4`,
    [prefix.length, prefix, afterName ?? '', limit],
  );
  return rows.map(toQueueRecord);
}

/** Replaces settings and/or tags. */
export function updateQueue(
  ctx: PgBase,
  queueId: number,
  change: { settings?: QueueSettings; tags?: Record<string, string> },
): Promise<QueueRecord | undefined> {
  return ctx.db.tx(async (c) => {
    const { rows } = await c.query<QueueRow>(
      `UPDATE queues SET settings = coalesce($2::jsonb, settings), tags = coalesce($3::jsonb, tags), modified_at = ${NOW}
       WHERE id = $4 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [
        ctx.nowParam(),
        change.settings ? JSON.stringify(change.settings) : null,
        change.tags ? JSON.stringify(change.tags) : null,
        queueId,
      ],
    );
    return rows[0] && toQueueRecord(rows[0]);
  }, 'updateQueue');
}

/** Marks the queue deleted and removes its messages, deduplication ids and receive attempts. */
export function deleteQueue(ctx: PgBase, queueId: number): Promise<boolean> {
  return ctx.db.tx(async (c) => {
    const r = await c.query(
      `UPDATE queues SET deleted_at = ${NOW} WHERE id = $2 AND deleted_at IS NULL`,
      [ctx.nowParam(), queueId],
    );
    if (r.rowCount === 0) return false;
    await c.query('DELETE FROM messages WHERE queue_id = $1', [queueId]);
    await c.query('DELETE FROM dedup WHERE queue_id = $1', [queueId]);
    await c.query('DELETE FROM receive_attempts WHERE queue_id = $1', [queueId]);
    return true;
  }, 'deleteQueue');
}

/** Removes all messages unless purged within the cooldown. */
export function purgeQueue(ctx: PgBase, queueId: number, cooldownMs: number): Promise<boolean> {
  return ctx.db.tx(async (c) => {
    const r = await c.query(
      `WITH t AS MATERIALIZED (SELECT ${NOW} AS now)
       UPDATE queues SET purged_at = (SELECT now FROM t) WHERE id = $2 AND deleted_at IS NULL
         AND (purged_at IS NULL OR purged_at <= (SELECT now FROM t) - $3::bigint)`,
      [ctx.nowParam(), queueId, cooldownMs],
    );
    if (r.rowCount === 0) return false;
    await c.query('DELETE FROM messages WHERE queue_id = $1', [queueId]);
    return true;
  }, 'purgeQueue');
}

/** Ids of live queues. */
export async function listQueueIds(ctx: PgBase): Promise<number[]> {
  const rows = await ctx.db.read<{ id: number }>(
    'SELECT id FROM queues WHERE deleted_at IS NULL ORDER BY id',
  );
  return rows.map((r) => Number(r.id));
}
