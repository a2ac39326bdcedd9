import type { HandleOutcome, ReceiptRef, VisibilityChange } from '../contract.js';
import type { SqliteContext } from './context.js';
import { stmt } from './statements.js';

/** Deletes by receipt handle; only the newest token of a message matches. */
export function deleteMessages(ctx: SqliteContext, queueId: number, refs: readonly ReceiptRef[]): Promise<HandleOutcome[]> {
  return ctx.commit.run(() =>
    refs.map((ref) => {
      const r = stmt(ctx.db, 'DELETE FROM messages WHERE position = ? AND queue_id = ? AND receipt = ?').run(
        ref.position,
        queueId,
        ref.token,
      );
      return r.changes > 0 ? 'ok' : 'stale';
    }),
  );
}

/** Changes visibility by receipt handle (see HandleOutcome). */
export function changeVisibility(
  ctx: SqliteContext,
  queueId: number,
  changes: readonly VisibilityChange[],
  maxTotalMs: number,
): Promise<HandleOutcome[]> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    return changes.map((c): HandleOutcome => {
      const row = stmt(
        ctx.db,
        'SELECT visible_at, received_at, receipt FROM messages WHERE position = ? AND queue_id = ?',
      ).get(c.position, queueId) as { visible_at: number; received_at: number | null; receipt: string | null } | undefined;
      if (!row || row.receipt !== c.token) return 'stale';
      if (row.visible_at <= now) return 'notInflight';
      if (now + c.visibilityMs - (row.received_at ?? now) > maxTotalMs) return 'overLimit';
      stmt(ctx.db, 'UPDATE messages SET visible_at = ? WHERE position = ?').run(now + c.visibilityMs, c.position);
      if (c.visibilityMs === 0) ctx.wakeAfterCommit(queueId);
      return 'ok';
    });
  });
}
