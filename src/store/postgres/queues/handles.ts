import type { HandleOutcome, ReceiptRef, VisibilityChange } from '../../contract.js';
import type { DeleteJob, PgBase, PgContext } from '../core/context.js';
import { forgetAttempts } from './queries/attempts.js';
import { lockForVisibility, setVisibility } from './queries/change-visibility.js';
import { deleteByHandles, handleKey } from './queries/delete-messages.js';

/**
 * Writes every `deleteMessages` call of one batch with ONE DELETE. Per handle `ok` or `stale`;
 * a handle repeated in the batch is `ok` once, like deleting twice in a row.
 */
export async function writeDeleteBatch(ctx: PgBase, jobs: DeleteJob[]): Promise<HandleOutcome[][]> {
  const refs = jobs.flatMap((j) =>
    j.refs.map((r) => ({ queueId: j.queueId, position: r.position, token: r.token })),
  );
  const deleted = await ctx.db.write((sql) => deleteByHandles(sql, refs), 'deleteMessages');
  return jobs.map((j) =>
    j.refs.map((r: ReceiptRef): HandleOutcome => {
      const key = handleKey(r.position, r.token);
      // A handle names one queue: a position of another queue never matched the DELETE.
      return deleted.delete(key) ? 'ok' : 'stale';
    }),
  );
}

/** Deletes by receipt handle through the batcher: concurrent calls share one transaction. */
export function deleteMessages(
  ctx: PgContext,
  queueId: number,
  refs: readonly ReceiptRef[],
): Promise<HandleOutcome[]> {
  return refs.length === 0 ? Promise.resolve([]) : ctx.deletes.submit({ queueId, refs });
}

/** Changes visibility by receipt handle (see HandleOutcome), in one transaction. */
export async function changeVisibility(
  ctx: PgBase,
  queueId: number,
  changes: readonly VisibilityChange[],
  maxTotalMs: number,
): Promise<HandleOutcome[]> {
  if (changes.length === 0) return [];
  let released = false;
  const outcomes = await ctx.db.tx(async (sql) => {
    released = false;
    const { now, states } = await lockForVisibility(
      sql,
      queueId,
      changes.map((c) => c.position),
      ctx.nowParam(),
    );
    const updates = new Map<number, number>();
    const result = changes.map((c): HandleOutcome => {
      const row = states.get(c.position);
      if (now === null || !row || row.receipt !== c.token) return 'stale';
      if (row.visibleAt <= now) return 'notInflight';
      if (now + c.visibilityMs - (row.receivedAt ?? now) > maxTotalMs) return 'overLimit';
      // Later changes of the same handle in this call see this one, as if applied one by one.
      row.visibleAt = now + c.visibilityMs;
      updates.set(c.position, row.visibleAt);
      if (c.visibilityMs === 0) released = true;
      return 'ok';
    });
    if (updates.size > 0) {
      await setVisibility(sql, updates, ctx.channel, released ? queueId : null);
      await forgetAttempts(sql, queueId, [...updates.keys()]);
    }
    return result;
  }, 'changeVisibility');
  if (released) ctx.wake.fire(queueId);
  return outcomes;
}
