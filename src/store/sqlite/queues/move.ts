import type {
  MoveDestination,
  MoveTaskCondition,
  MoveTaskPatch,
  MoveTaskRecord,
} from '../../contract.js';
import type { SqliteContext } from '../core/context.js';
import type { MessageRow } from './rows.js';
import { toMoveTask } from './rows.js';
import { stmt } from '../core/statements.js';

/** Moves receivable messages out of a dead-letter queue (see QueueStore.moveMessages). */
export function moveMessages(
  ctx: SqliteContext,
  sourceQueueId: number,
  destination: MoveDestination | null,
  origins: ReadonlyMap<string, MoveDestination>,
  limit: number,
  newId: () => string,
): Promise<{ moved: number; unroutable: number }> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const rows = stmt(
      ctx.db,
      'SELECT * FROM messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, position LIMIT ?',
    ).all(sourceQueueId, now, limit) as MessageRow[];
    let moved = 0;
    let unroutable = 0;
    for (const row of rows) {
      const to =
        destination ?? (row.dlq_source_arn === null ? undefined : origins.get(row.dlq_source_arn));
      if (!to) {
        unroutable++;
        continue;
      }
      // Delete and re-insert: the moved message gets a new position (the destination's order).
      stmt(ctx.db, 'DELETE FROM messages WHERE position = ?').run(row.position);
      stmt(
        ctx.db,
        `INSERT INTO messages (queue_id, message_id, body, attributes, md5_body, md5_attributes, group_id, dedup_id,
          trace_header, dlq_source_arn, sent_at, visible_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
      ).run(
        to.queueId,
        newId(),
        row.body,
        row.attributes,
        row.md5_body,
        row.md5_attributes,
        row.group_id,
        to.fifo ? row.message_id : null,
        row.trace_header,
        now,
        now,
        now + to.retentionMs,
      );
      ctx.wakeAfterCommit(to.queueId);
      moved++;
    }
    return { moved, unroutable };
  });
}

/** Inserts or replaces a move task record. */
export function putMoveTask(ctx: SqliteContext, task: MoveTaskRecord): Promise<void> {
  return ctx.commit.run(() => {
    stmt(
      ctx.db,
      `INSERT INTO move_tasks (handle, source_queue_id, started_at, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (handle) DO UPDATE SET record = excluded.record`,
    ).run(task.handle, task.sourceQueueId, task.startedAt, JSON.stringify(task));
  });
}

/** One move task by handle. */
export function getMoveTask(ctx: SqliteContext, handle: string): MoveTaskRecord | undefined {
  const row = stmt(ctx.db, 'SELECT record FROM move_tasks WHERE handle = ?').get(handle) as
    { record: string } | undefined;
  return row && toMoveTask(row);
}

/** Move tasks of a source queue, newest first. */
export function listMoveTasks(
  ctx: SqliteContext,
  sourceQueueId: number,
  limit: number,
): MoveTaskRecord[] {
  const rows = stmt(
    ctx.db,
    'SELECT record FROM move_tasks WHERE source_queue_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
  ).all(sourceQueueId, limit) as { record: string }[];
  return rows.map(toMoveTask);
}

/** Conditional patch of a move task (see QueueStore.updateMoveTask). */
export function updateMoveTask(
  ctx: SqliteContext,
  handle: string,
  patch: MoveTaskPatch,
  when: MoveTaskCondition,
): Promise<MoveTaskRecord | undefined> {
  return ctx.commit.run(() => {
    const row = stmt(
      ctx.db,
      `UPDATE move_tasks SET record = json_patch(record, ?)
       WHERE handle = ? AND json_extract(record, '$.status') IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR json_extract(record, '$.updatedAt') < ?)
       RETURNING record`,
    ).get(
      JSON.stringify(patch),
      handle,
      JSON.stringify(when.statusIn),
      when.updatedBefore ?? null,
      when.updatedBefore ?? null,
    ) as { record: string } | undefined;
    return row && toMoveTask(row);
  });
}

/** Tasks RUNNING or CANCELLING. */
export function listActiveMoveTasks(ctx: SqliteContext): MoveTaskRecord[] {
  const rows = stmt(
    ctx.db,
    `SELECT record FROM move_tasks WHERE json_extract(record, '$.status') IN ('RUNNING', 'CANCELLING') ORDER BY started_at`,
  ).all() as { record: string }[];
  return rows.map(toMoveTask);
}
