import { randomBytes } from 'node:crypto';
import {
  BUS_WAKE,
  type ClaimedDelivery,
  type DeliveryFilter,
  type DeliverySettlement,
} from '../../bus-contract.js';
import type { SqliteContext } from '../core/context.js';
import { insertMessages } from '../queues/send.js';
import { stmt } from '../core/statements.js';
import { type DeliveryRow, type EventRow, toDelivery, toEvent } from '../../shared/bus-rows.js';
import { appendHistory } from './rows.js';

const ROUTE_FILTER = `(route IN (SELECT value FROM json_each(?))
    OR EXISTS (SELECT 1 FROM json_each(?) p WHERE substr(route, 1, length(p.value)) = p.value))
  AND route NOT IN (SELECT value FROM json_each(?))`;
const routeParams = (f: DeliveryFilter): string[] => [
  JSON.stringify(f.routes),
  JSON.stringify(f.routePrefixes),
  JSON.stringify(f.excludeRoutes),
];

/** Claims due pending deliveries on the filter's routes for `leaseMs`. */
export function claimDeliveries(
  ctx: SqliteContext,
  filter: DeliveryFilter,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  // Idle workers look every second: read first, and only take the write lock when there is work.
  const due = nextDeliveryAt(ctx, filter);
  if (due === null || due > ctx.now()) return Promise.resolve([]);
  return ctx.commit.run(() => {
    const now = ctx.now();
    const rows = stmt(
      ctx.db,
      `SELECT * FROM deliveries WHERE state = 'pending' AND due_at <= ?
         AND ${ROUTE_FILTER}
       ORDER BY due_at, id LIMIT ?`,
    ).all(now, ...routeParams(filter), limit) as DeliveryRow[];
    return rows.map((row) => {
      const lease = randomBytes(12).toString('hex');
      stmt(ctx.db, 'UPDATE deliveries SET due_at = ?, lease = ? WHERE id = ?').run(
        now + leaseMs,
        lease,
        row.id,
      );
      const event = stmt(ctx.db, 'SELECT * FROM events WHERE position = ?').get(
        row.event_position,
      ) as EventRow;
      return { ...toDelivery({ ...row, due_at: now + leaseMs }), lease, event: toEvent(event) };
    });
  }, false);
}

/** Settles a claimed delivery when its lease still holds. */
export function settleDelivery(
  ctx: SqliteContext,
  id: number,
  lease: string,
  s: DeliverySettlement,
): Promise<boolean> {
  // A settlement that dead-letters writes a message: durable like a send.
  const durable = s.state === 'dead-lettered';
  return ctx.commit.run(() => {
    const row = stmt(
      ctx.db,
      "SELECT history FROM deliveries WHERE id = ? AND lease = ? AND state = 'pending'",
    ).get(id, lease) as { history: string } | undefined;
    if (!row) return false;
    const dueAt = s.state === 'pending' ? s.retryAt : ctx.now();
    stmt(
      ctx.db,
      'UPDATE deliveries SET state = ?, attempts = attempts + 1, due_at = ?, lease = NULL, history = ? WHERE id = ?',
    ).run(s.state, dueAt, appendHistory(row.history, s.attempt), id);
    if (s.state !== 'delivered' && s.state !== 'pending' && s.deadLetter) {
      insertMessages(
        ctx.db,
        ctx.now(),
        s.deadLetter.queueId,
        s.deadLetter.messages,
        s.deadLetter.options,
      );
      ctx.wakeAfterCommit(s.deadLetter.queueId);
    }
    if (s.state === 'pending') ctx.wakeAfterCommit(BUS_WAKE.deliveries);
    return true;
  }, durable);
}

/** Epoch ms of the next pending delivery on the filter's routes. */
export function nextDeliveryAt(ctx: SqliteContext, filter: DeliveryFilter): number | null {
  const row = stmt(
    ctx.db,
    `SELECT min(due_at) AS due FROM deliveries WHERE state = 'pending' AND ${ROUTE_FILTER}`,
  ).get(...routeParams(filter)) as { due: number | null };
  return row.due;
}
