import type { HandleOutcome, ReceiptRef, VisibilityChange } from '../../contract.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';

// One statement for the whole call; only the newest token of a message matches.
const DELETE_BY_HANDLES = `DELETE FROM messages WHERE queue_id = ? AND (position, receipt) IN
  (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)) RETURNING position`;

/** Deletes by receipt handle; per handle `ok`, or `stale` (a handle repeated in the call is `ok` once). */
export function deleteMessages(
  ctx: SqliteContext,
  queueId: number,
  refs: readonly ReceiptRef[],
): Promise<HandleOutcome[]> {
  return ctx.commit.run(() => {
    const rows = stmt(ctx.db, DELETE_BY_HANDLES).all(
      queueId,
      JSON.stringify(refs.map((r) => [r.position, r.token])),
    ) as {
      position: number;
    }[];
    const deleted = new Set(rows.map((r) => r.position));
    return refs.map((ref): HandleOutcome => (deleted.delete(ref.position) ? 'ok' : 'stale'));
    // Not fsynced: a delete undone by a power failure makes the message come back (at-least-once).
  }, false);
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
      ).get(c.position, queueId) as
        { visible_at: number; received_at: number | null; receipt: string | null } | undefined;
      if (!row || row.receipt !== c.token) return 'stale';
      if (row.visible_at <= now) return 'notInflight';
      if (now + c.visibilityMs - (row.received_at ?? now) > maxTotalMs) return 'overLimit';
      stmt(ctx.db, 'UPDATE messages SET visible_at = ? WHERE position = ?').run(
        now + c.visibilityMs,
        c.position,
      );
      // A changed message ends the replay of any receive attempt that returned it.
      stmt(
        ctx.db,
        `DELETE FROM receive_attempts WHERE queue_id = ?
         AND EXISTS (SELECT 1 FROM json_each(claims) WHERE json_extract(value, '$[0]') = ?)`,
      ).run(queueId, c.position);
      if (c.visibilityMs === 0) ctx.wakeAfterCommit(queueId);
      return 'ok';
    });
    // Not fsynced: a lost change leaves the earlier visibility in place.
  }, false);
}
