import type {
  MoveDestination,
  MoveTaskCondition,
  MoveTaskPatch,
  MoveTaskRecord,
} from '../../contract.js';
import type { PgBase } from '../core/context.js';
import { type MessageRow, toMoveTask } from './rows.js';
import { insertMessages, type MessageInsert } from './queries/insert-messages.js';

/**
 * Moves receivable messages out of a dead-letter queue (see QueueStore.moveMessages): locks
 * them (SKIP LOCKED, oldest first), deletes the routable ones and re-inserts them at their
 * destinations with new ids, positions and send times, NOTIFYing each destination at commit.
 */
export async function moveMessages(
  ctx: PgBase,
  sourceQueueId: number,
  destination: MoveDestination | null,
  origins: ReadonlyMap<string, MoveDestination>,
  limit: number,
  newId: () => string,
): Promise<{ moved: number; unroutable: number }> {
  const woken = new Set<number>();
  const result = await ctx.db.tx(async (sql) => {
    woken.clear();
    const { rows } = await sql.query<MessageRow & { now: number }>(
      `WITH t AS MATERIALIZED (SELECT coalesce($2::bigint, ballast_now_ms()) AS now)
       SELECT (SELECT now FROM t) AS now, m.* FROM messages m
       WHERE m.queue_id = $1 AND m.visible_at <= (SELECT now FROM t)
       ORDER BY m.visible_at, m.position LIMIT $3 FOR UPDATE OF m SKIP LOCKED`,
      [sourceQueueId, ctx.nowParam(), limit],
    );
    const now = rows[0]?.now;
    let unroutable = 0;
    const moved: number[] = [];
    const inserts: MessageInsert[] = [];
    for (const row of rows) {
      const to =
        destination ?? (row.dlq_source_arn === null ? undefined : origins.get(row.dlq_source_arn));
      if (!to) {
        unroutable++;
        continue;
      }
      moved.push(Number(row.position));
      woken.add(to.queueId);
      inserts.push({
        position: null,
        queueId: to.queueId,
        messageId: newId(),
        body: row.body,
        attributes: row.attributes,
        md5Body: row.md5_body,
        md5Attributes: row.md5_attributes,
        groupId: row.group_id,
        dedupId: to.fifo ? row.message_id : null,
        traceHeader: row.trace_header,
        dlqSourceArn: null,
        sentAt: null,
        delayMs: 0,
        retentionMs: to.retentionMs,
      });
    }
    if (moved.length > 0 && now !== undefined) {
      await sql.query('DELETE FROM messages WHERE position = ANY($1::bigint[])', [moved]);
      await insertMessages(sql, now, inserts, ctx.channel, [...woken]);
    }
    return { moved: moved.length, unroutable };
  }, 'moveMessages');
  for (const id of woken) ctx.wake.fire(id);
  return result;
}

/** Inserts or replaces a move task record. */
export async function putMoveTask(ctx: PgBase, task: MoveTaskRecord): Promise<void> {
  await ctx.db.tx(async (sql) => {
    await sql.query(
      `INSERT INTO move_tasks (handle, source_queue_id, started_at, record) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (handle) DO UPDATE SET record = excluded.record`,
      [task.handle, task.sourceQueueId, task.startedAt, JSON.stringify(task)],
    );
  }, 'putMoveTask');
}

/** Conditional patch of a move task (see QueueStore.updateMoveTask). */
export async function updateMoveTask(
  ctx: PgBase,
  handle: string,
  patch: MoveTaskPatch,
  when: MoveTaskCondition,
): Promise<MoveTaskRecord | undefined> {
  const row = await ctx.db.write(
    (sql) =>
      sql.query<{ record: MoveTaskRecord }>(
        `UPDATE move_tasks SET record = record || $2::jsonb
         WHERE handle = $1 AND record->>'status' = ANY($3::text[])
           AND ($4::bigint IS NULL OR (record->>'updatedAt')::bigint < $4::bigint)
         RETURNING record`,
        [handle, JSON.stringify(patch), when.statusIn, when.updatedBefore ?? null],
      ),
    'updateMoveTask',
  );
  return row.rows[0] && toMoveTask(row.rows[0]);
}

/** Tasks RUNNING or CANCELLING. */
export async function listActiveMoveTasks(ctx: PgBase): Promise<MoveTaskRecord[]> {
  const rows = await ctx.db.read<{ record: MoveTaskRecord }>(
    `SELECT record FROM move_tasks WHERE record->>'status' IN ('RUNNING', 'CANCELLING') ORDER BY started_at, seq`,
  );
  return rows.map(toMoveTask);
}

/** One move task by handle. */
export async function getMoveTask(
  ctx: PgBase,
  handle: string,
): Promise<MoveTaskRecord | undefined> {
  const rows = await ctx.db.read<{ record: MoveTaskRecord }>(
    'SELECT record FROM move_tasks WHERE handle = $1',
    [handle],
  );
  return rows[0] && toMoveTask(rows[0]);
}

/** Move tasks of a source queue, newest first. */
export async function listMoveTasks(
  ctx: PgBase,
  sourceQueueId: number,
  limit: number,
): Promise<MoveTaskRecord[]> {
  const rows = await ctx.db.read<{ record: MoveTaskRecord }>(
    `SELECT record FROM move_tasks WHERE source_queue_id = $1 ORDER BY started_at DESC, seq DESC LIMIT $2`,
    [sourceQueueId, limit],
  );
  return rows.map(toMoveTask);
}
