import {
  BUS_WAKE,
  type DeliveryRecord,
  type DispatchBatch,
  type DispatchPlanner,
  type ParkedEvent,
  type ParkedWrite,
  type EventTrace,
  type NewBusEvent,
} from '../../bus-contract.js';
import type { SqliteContext } from '../core/context.js';
import { insertMessages } from '../queues/send.js';
import { stmt } from '../core/statements.js';
import {
  type DeliveryRow,
  type EventRow,
  dispatchErrorOf,
  toDelivery,
  toEvent,
  toParked,
} from '../../shared/bus-rows.js';

/** Inserts events into the log and the inbox inside the open transaction; returns their positions. */
export function appendEvents(ctx: SqliteContext, events: readonly NewBusEvent[]): number[] {
  const now = ctx.now();
  return events.map((e) => {
    const { position } = stmt(
      ctx.db,
      `INSERT INTO events (bus_id, event_id, body, event_time, replay_name, only_rule_ids, ingested_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING position`,
    ).get(
      e.busId,
      e.eventId,
      e.body,
      e.eventTime,
      e.replayName,
      e.onlyRuleIds === null ? null : JSON.stringify(e.onlyRuleIds),
      now,
    ) as {
      position: number;
    };
    stmt(ctx.db, 'INSERT INTO event_inbox (position) VALUES (?)').run(position);
    return position;
  });
}

/** Appends events and puts them in the inbox; durable (fsynced) when it resolves. */
export function putEvents(ctx: SqliteContext, events: readonly NewBusEvent[]): Promise<number[]> {
  if (events.length === 0) return Promise.resolve([]);
  return ctx.commit.run(() => {
    const positions = appendEvents(ctx, events);
    ctx.wakeAfterCommit(BUS_WAKE.inbox);
    return positions;
  });
}

/** Dispatches the inbox events within `batch` in one transaction (see BusStore.dispatch). */
export function dispatch(
  ctx: SqliteContext,
  batch: DispatchBatch,
  plan: DispatchPlanner,
): Promise<number> {
  // An idle dispatcher looks every second: a read, not a write transaction that would sit in the
  // queue's group commits and delay a send.
  if (stmt(ctx.db, 'SELECT 1 FROM event_inbox LIMIT 1').get() === undefined)
    return Promise.resolve(0);
  return ctx.commit.run(() => {
    const { positions, cut } = claimWithin(ctx, batch);
    if (positions.length === 0) return 0;
    const rows = stmt(
      ctx.db,
      'SELECT * FROM events WHERE position IN (SELECT value FROM json_each(?)) ORDER BY position',
    ).all(JSON.stringify(positions)) as EventRow[];
    const now = ctx.now();
    const version = (
      stmt(ctx.db, 'SELECT rules_version FROM bus_meta WHERE id = 1').get() as {
        rules_version: number;
      }
    ).rules_version;
    const writes = plan(rows.map(toEvent), now, version, cut);
    for (const send of writes.sends) {
      insertMessages(ctx.db, now, send.queueId, send.messages, send.options);
      ctx.wakeAfterCommit(send.queueId);
    }
    let pending = false;
    for (const d of writes.deliveries) {
      stmt(
        ctx.db,
        `INSERT INTO deliveries (event_position, rule_id, target_id, route, payload, state, attempts, due_at, history, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        d.eventPosition,
        d.ruleId,
        d.targetId,
        d.route,
        d.payload,
        d.state,
        d.state === 'delivered' ? 1 : 0,
        now,
        d.state === 'delivered'
          ? JSON.stringify([{ at: now, ok: true, error: null, message: null }])
          : '[]',
        now,
      );
      pending ||= d.state === 'pending';
    }
    for (const a of writes.archived) {
      stmt(
        ctx.db,
        `INSERT OR IGNORE INTO archive_events (archive_id, event_time, position, bus_id, body, archived_at)
         SELECT ?, event_time, position, bus_id, body, ? FROM events WHERE position = ?`,
      ).run(a.archiveId, now, a.position);
    }
    for (const p of writes.parked) markParked(ctx, p);
    if (pending) ctx.wakeAfterCommit(BUS_WAKE.deliveries);
    stmt(ctx.db, 'DELETE FROM event_inbox WHERE position IN (SELECT value FROM json_each(?))').run(
      JSON.stringify(writes.handled),
    );
    return writes.handled.length;
  }, false);
}

/**
 * The inbox positions one dispatch takes: in order, at most `maxEvents`, while the bodies stay
 * within `maxBytes` (the first always). Sizes come from the record header (`octet_length` does
 * not load the text), so a backlog of large events is never read just to be left behind.
 */
function claimWithin(
  ctx: SqliteContext,
  batch: DispatchBatch,
): { positions: number[]; cut: boolean } {
  const rows = stmt(
    ctx.db,
    'SELECT i.position AS position, octet_length(e.body) AS size FROM event_inbox i JOIN events e ON e.position = i.position ORDER BY i.position LIMIT ?',
  ).all(batch.maxEvents) as { position: number; size: number }[];
  const out: number[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (out.length > 0 && bytes + r.size > batch.maxBytes) break;
    bytes += r.size;
    out.push(r.position);
  }
  return { positions: out, cut: out.length < rows.length };
}

function markParked(ctx: SqliteContext, p: ParkedWrite): void {
  stmt(ctx.db, 'UPDATE events SET dispatch_error = ? WHERE position = ?').run(
    JSON.stringify(p.error),
    p.position,
  );
}

/** Parks inbox events with their errors outside a dispatch; returns how many were in the inbox. */
export function parkEvents(ctx: SqliteContext, parked: readonly ParkedWrite[]): Promise<number> {
  return ctx.commit.run(() => {
    let n = 0;
    for (const p of parked) {
      if (stmt(ctx.db, 'DELETE FROM event_inbox WHERE position = ?').run(p.position).changes === 0)
        continue;
      markParked(ctx, p);
      n++;
    }
    return n;
  });
}

/** Parked events after `afterPosition`, oldest first. */
export function listParked(
  ctx: SqliteContext,
  afterPosition: number,
  limit: number,
): ParkedEvent[] {
  return (
    stmt(
      ctx.db,
      `SELECT position, event_id, bus_id, ingested_at, dispatch_error FROM events
       WHERE dispatch_error IS NOT NULL AND position > ? ORDER BY position LIMIT ?`,
    ).all(afterPosition, limit) as EventRow[]
  ).map(toParked);
}

/** Puts parked events back in the inbox, their error cleared; returns how many. */
export function redispatchParked(
  ctx: SqliteContext,
  positions: readonly number[] | null,
  limit: number,
): Promise<number> {
  return ctx.commit.run(() => {
    const chosen = (
      positions === null
        ? stmt(
            ctx.db,
            'SELECT position FROM events WHERE dispatch_error IS NOT NULL ORDER BY position LIMIT ?',
          ).all(limit)
        : stmt(
            ctx.db,
            'SELECT position FROM events WHERE dispatch_error IS NOT NULL AND position IN (SELECT value FROM json_each(?)) ORDER BY position LIMIT ?',
          ).all(JSON.stringify(positions), limit)
    ) as { position: number }[];
    for (const { position } of chosen) {
      stmt(ctx.db, 'UPDATE events SET dispatch_error = NULL WHERE position = ?').run(position);
      stmt(ctx.db, 'INSERT OR IGNORE INTO event_inbox (position) VALUES (?)').run(position);
    }
    if (chosen.length > 0) ctx.wakeAfterCommit(BUS_WAKE.inbox);
    return chosen.length;
  });
}

/** Everything stored about one event. */
export function traceEvent(ctx: SqliteContext, eventId: string): EventTrace | undefined {
  const row = stmt(
    ctx.db,
    'SELECT * FROM events WHERE event_id = ? ORDER BY position DESC LIMIT 1',
  ).get(eventId) as EventRow | undefined;
  if (!row) return undefined;
  const dispatched =
    stmt(ctx.db, 'SELECT 1 FROM event_inbox WHERE position = ?').get(row.position) === undefined;
  const deliveries: DeliveryRecord[] = (
    stmt(ctx.db, 'SELECT * FROM deliveries WHERE event_position = ? ORDER BY id').all(
      row.position,
    ) as DeliveryRow[]
  ).map(toDelivery);
  return { event: toEvent(row), dispatched, dispatchError: dispatchErrorOf(row), deliveries };
}

/** Removes dispatched events ingested before `before`, with their settled deliveries. */
export function removeEventsBefore(
  ctx: SqliteContext,
  before: number,
  limit: number,
): Promise<number> {
  return ctx.commit.run(() => {
    const positions = (
      stmt(
        ctx.db,
        `SELECT position FROM events e WHERE ingested_at < ?
           AND NOT EXISTS (SELECT 1 FROM event_inbox i WHERE i.position = e.position)
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_position = e.position AND d.state = 'pending')
         ORDER BY ingested_at LIMIT ?`,
      ).all(before, limit) as { position: number }[]
    ).map((r) => r.position);
    if (positions.length === 0) return 0;
    const list = JSON.stringify(positions);
    stmt(
      ctx.db,
      'DELETE FROM deliveries WHERE event_position IN (SELECT value FROM json_each(?))',
    ).run(list);
    stmt(ctx.db, 'DELETE FROM events WHERE position IN (SELECT value FROM json_each(?))').run(list);
    return positions.length;
  }, false);
}
