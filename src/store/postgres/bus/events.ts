import {
  BUS_WAKE,
  type EventTrace,
  type NewBusEvent,
  type ParkedEvent,
  type ParkedWrite,
} from '../../bus-contract.js';
import type { PgBase } from '../core/context.js';
import type { Sql } from '../core/db.js';
import {
  type DeliveryRow,
  dispatchErrorOf,
  type EventRow,
  nowSql,
  toDelivery,
  toEvent,
  toParked,
} from './rows.js';

// One statement for any number of events: columns unnested in request order, positions taken
// after the sort (so they grow in request order), each event put in the inbox, and the inbox
// wake-up NOTIFYed: dispatchers on every node wake when the implicit transaction commits.
const PUT = `WITH t AS MATERIALIZED (SELECT ${nowSql(1)} AS now),
ins AS (
  INSERT INTO events (position, bus_id, event_id, body, event_time, replay_name, only_rule_ids, ingested_at)
  SELECT nextval('event_positions'), u.bus_id, u.event_id, u.body, u.event_time, u.replay_name, u.only_rule_ids::jsonb, t.now
  FROM t, unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
    WITH ORDINALITY AS u(bus_id, event_id, body, event_time, replay_name, only_rule_ids, ord)
  ORDER BY u.ord
  RETURNING position),
inbox AS (INSERT INTO event_inbox (position) SELECT position FROM ins),
woken AS (SELECT pg_notify($8, $9::text))
SELECT ins.position FROM ins, woken`;

/** Appends events and puts them in the inbox with `sql` (the pool, or a transaction's client); NOTIFY goes out at its commit. */
export async function insertEvents(
  ctx: PgBase,
  sql: Sql,
  events: readonly NewBusEvent[],
): Promise<number[]> {
  const { rows } = await sql.query<{ position: number }>(PUT, [
    ctx.nowParam(),
    events.map((e) => e.busId),
    events.map((e) => e.eventId),
    events.map((e) => e.body),
    events.map((e) => e.eventTime),
    events.map((e) => e.replayName),
    events.map((e) => (e.onlyRuleIds === null ? null : JSON.stringify(e.onlyRuleIds))),
    ctx.channel,
    BUS_WAKE.inbox,
  ]);
  // RETURNING has no defined order; positions grow with request order, so sorting restores it.
  return rows.map((r) => r.position).sort((a, b) => a - b);
}

/** Appends events and puts them in the inbox in one statement; committed when it resolves. */
export async function putEvents(ctx: PgBase, events: readonly NewBusEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const positions = await ctx.db.write((sql) => insertEvents(ctx, sql, events), 'putEvents');
  ctx.wake.fire(BUS_WAKE.inbox);
  return positions;
}

/** Everything stored about one event (the latest of this id), in one statement. */
export async function traceEvent(ctx: PgBase, eventId: string): Promise<EventTrace | undefined> {
  const rows = await ctx.db.read<EventRow & { dispatched: boolean; deliveries: DeliveryRow[] }>(
    `SELECT e.*, NOT EXISTS (SELECT 1 FROM event_inbox i WHERE i.position = e.position) AS dispatched,
       (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.id), '[]'::jsonb) FROM deliveries d
        WHERE d.event_position = e.position) AS deliveries
     FROM events e WHERE e.event_id = $1 ORDER BY e.position DESC LIMIT 1`,
    [eventId],
    'traceEvent',
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    event: toEvent(row),
    dispatched: row.dispatched,
    dispatchError: dispatchErrorOf(row),
    deliveries: row.deliveries.map(toDelivery),
  };
}

// One snapshot decides which events are done: an event still in the inbox (even one a dispatch
// holds) or with a pending delivery at that moment is kept, and nothing makes a settled
// delivery pending again. SKIP LOCKED lets concurrent removers take different events.
const REMOVE = `WITH old AS (
  SELECT e.position FROM events e WHERE e.ingested_at < $1
    AND NOT EXISTS (SELECT 1 FROM event_inbox i WHERE i.position = e.position)
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_position = e.position AND d.state = 'pending')
  ORDER BY e.ingested_at LIMIT $2
  FOR UPDATE OF e SKIP LOCKED),
gone_deliveries AS (DELETE FROM deliveries WHERE event_position IN (SELECT position FROM old)),
gone AS (DELETE FROM events WHERE position IN (SELECT position FROM old) RETURNING 1)
SELECT count(*) AS n FROM gone`;

/** Removes dispatched events ingested before `before`, with their settled deliveries. */
export async function removeEventsBefore(
  ctx: PgBase,
  before: number,
  limit: number,
): Promise<number> {
  const { rows } = await ctx.db.write(
    (sql) => sql.query<{ n: number }>(REMOVE, [before, limit]),
    'removeEventsBefore',
  );
  return rows[0]!.n;
}

// Only events still in the inbox are parked (a dispatch that took one first wins); their inbox
// rows are locked like a dispatch's claim, so the two never both handle an event.
const PARK = `WITH u AS (SELECT * FROM unnest($1::bigint[], $2::jsonb[]) AS u(position, error)),
gone AS (DELETE FROM event_inbox i USING u WHERE i.position = u.position RETURNING i.position),
p AS (UPDATE events e SET dispatch_error = u.error FROM u JOIN gone g ON g.position = u.position WHERE e.position = u.position RETURNING 1)
SELECT count(*)::int AS n FROM p`;

/** Parks inbox events with their errors outside a dispatch; returns how many were in the inbox. */
export async function parkEvents(ctx: PgBase, parked: readonly ParkedWrite[]): Promise<number> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<{ n: number }>(PARK, [
        parked.map((p) => p.position),
        parked.map((p) => JSON.stringify(p.error)),
      ]),
    'parkEvents',
  );
  return rows[0]!.n;
}

/** Parked events after `afterPosition`, oldest first. */
export async function listParked(
  ctx: PgBase,
  afterPosition: number,
  limit: number,
): Promise<ParkedEvent[]> {
  const rows = await ctx.db.read<EventRow>(
    `SELECT position, event_id, bus_id, ingested_at, dispatch_error FROM events
     WHERE dispatch_error IS NOT NULL AND position > $1 ORDER BY position LIMIT $2`,
    [afterPosition, limit],
    'listParked',
  );
  return rows.map(toParked);
}

const REDISPATCH = `WITH chosen AS (
  SELECT position FROM events WHERE dispatch_error IS NOT NULL AND ($1::bigint[] IS NULL OR position = ANY($1::bigint[]))
  ORDER BY position LIMIT $2 FOR UPDATE SKIP LOCKED),
cleared AS (UPDATE events e SET dispatch_error = NULL FROM chosen c WHERE e.position = c.position RETURNING e.position),
inbox AS (INSERT INTO event_inbox (position) SELECT position FROM cleared ON CONFLICT DO NOTHING),
woken AS (SELECT pg_notify($3, $4::text))
SELECT count(*)::int AS n FROM cleared, woken`;

/** Puts parked events back in the inbox, their error cleared; returns how many. */
export async function redispatchParked(
  ctx: PgBase,
  positions: readonly number[] | null,
  limit: number,
): Promise<number> {
  const { rows } = await ctx.db.write(
    (sql) => sql.query<{ n: number }>(REDISPATCH, [positions, limit, ctx.channel, BUS_WAKE.inbox]),
    'redispatchParked',
  );
  const n = rows[0]!.n;
  if (n > 0) ctx.wake.fire(BUS_WAKE.inbox);
  return n;
}
