import {
  BUS_WAKE,
  type DispatchBatch,
  type DispatchPlan,
  type DispatchPlanner,
} from '../../bus-contract.js';
import type { PgBase } from '../core/context.js';
import type { Sql } from '../core/db.js';
import { writeQueueSends } from './queue-sends.js';
import { attemptJson, type EventRow, nowSql, toEvent } from './rows.js';

// Walks the inbox's primary key in position order and locks what it takes: SKIP LOCKED, so
// concurrent dispatchers on any node take disjoint events and never wait for each other. A row
// another dispatch removed meanwhile is rechecked after its commit and dropped, never returned.
// Only the events whose bodies fit in $3 bytes (the first always) are read; octet_length reads
// a TOASTed body's size from its header, so a large event left for the next batch costs nothing.
// Rows locked but not read stay in the inbox, free again at commit.
const CLAIM = `WITH t AS MATERIALIZED (SELECT ${nowSql(1)} AS now),
c AS MATERIALIZED (
  SELECT i.position, octet_length(e.body) AS size FROM event_inbox i JOIN events e ON e.position = i.position
  ORDER BY i.position LIMIT $2
  FOR UPDATE OF i SKIP LOCKED),
k AS (SELECT position FROM (
  SELECT position, sum(size) OVER (ORDER BY position) AS upto, row_number() OVER (ORDER BY position) AS n FROM c) w
  WHERE n = 1 OR upto <= $3::bigint)
SELECT (SELECT now FROM t) AS now, (SELECT count(*) FROM c) > (SELECT count(*) FROM k) AS cut, e.* FROM k JOIN events e ON e.position = k.position
ORDER BY e.position`;

// Everything the plan writes besides queue messages, in one statement: deliveries (a queue
// target's is born delivered, with its one attempt), archive copies (each archive row key-share
// locked, so a concurrent DeleteArchive either sees our copies or removes the archive first and
// we copy nothing), and the events' removal from the inbox. Pending deliveries NOTIFY workers.
const FINISH = `WITH d AS (
  INSERT INTO deliveries (event_position, rule_id, target_id, route, payload, state, attempts, due_at, history, created_at)
  SELECT u.event_position, u.rule_id, u.target_id, u.route, u.payload, u.state,
    CASE WHEN u.state = 'delivered' THEN 1 ELSE 0 END, $1::bigint,
    CASE WHEN u.state = 'delivered' THEN jsonb_build_array($2::jsonb) ELSE '[]'::jsonb END, $1::bigint
  FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
    WITH ORDINALITY AS u(event_position, rule_id, target_id, route, payload, state, ord)
  ORDER BY u.ord),
a AS (
  INSERT INTO archive_events (archive_id, event_time, position, bus_id, body, archived_at)
  SELECT ar.id, e.event_time, e.position, e.bus_id, e.body, $1::bigint
  FROM unnest($9::bigint[], $10::bigint[]) AS u(archive_id, position)
  JOIN archives ar ON ar.id = u.archive_id JOIN events e ON e.position = u.position
  FOR KEY SHARE OF ar
  ON CONFLICT DO NOTHING),
x AS (DELETE FROM event_inbox WHERE position = ANY($11::bigint[])),
p AS (UPDATE events e SET dispatch_error = u.error FROM unnest($15::bigint[], $16::jsonb[]) AS u(position, error) WHERE e.position = u.position)
SELECT CASE WHEN $12::boolean THEN pg_notify($13, $14::text) END`;

async function finish(ctx: PgBase, sql: Sql, writes: DispatchPlan, now: number): Promise<boolean> {
  const ds = writes.deliveries;
  const pending = ds.some((d) => d.state === 'pending');
  await sql.query(FINISH, [
    now,
    attemptJson({ at: now, ok: true, error: null, message: null }),
    ds.map((d) => d.eventPosition),
    ds.map((d) => d.ruleId),
    ds.map((d) => d.targetId),
    ds.map((d) => d.route),
    ds.map((d) => d.payload),
    ds.map((d) => d.state),
    writes.archived.map((a) => a.archiveId),
    writes.archived.map((a) => a.position),
    writes.handled,
    pending,
    ctx.channel,
    BUS_WAKE.deliveries,
    writes.parked.map((p) => p.position),
    writes.parked.map((p) => JSON.stringify(p.error)),
  ]);
  return pending;
}

/**
 * Dispatches the inbox events within `batch` in ONE transaction (see BusStore.dispatch): claim,
 * `plan`, queue messages, deliveries, archive copies, inbox removal, commit. Local wake-ups fire
 * after the commit; other nodes get the same ones from the NOTIFYs sent at commit.
 */
export async function dispatch(
  ctx: PgBase,
  batch: DispatchBatch,
  plan: DispatchPlanner,
): Promise<number> {
  let planFailure: { readonly error: unknown } | undefined;
  let woken: number[] = [];
  try {
    const count = await ctx.db.tx(async (sql) => {
      // The transaction may run again (deadlock, serialization failure): start clean.
      planFailure = undefined;
      woken = [];
      const { rows } = await sql.query<EventRow & { now: number; cut: boolean }>(CLAIM, [
        ctx.nowParam(),
        batch.maxEvents,
        batch.maxBytes,
      ]);
      if (rows.length === 0) return 0;
      const now = rows[0]!.now;
      // Read after the claim (READ COMMITTED: a fresh snapshot): every rule change committed before
      // a claimed event was put is in this version, so the plan can tell a stale matcher.
      const { rows: meta } = await sql.query<{ v: number }>(
        'SELECT rules_version AS v FROM bus_meta WHERE id = 1',
      );
      let writes: DispatchPlan;
      try {
        writes = plan(rows.map(toEvent), now, meta[0]?.v ?? 0, rows[0]!.cut);
      } catch (error) {
        planFailure = { error };
        throw error;
      }
      woken = await writeQueueSends(ctx, sql, writes.sends);
      if (await finish(ctx, sql, writes, now)) woken.push(BUS_WAKE.deliveries);
      return writes.handled.length;
    }, 'dispatch');
    for (const key of woken) ctx.wake.fire(key);
    return count;
  } catch (error) {
    // The plan's own error, not its InternalError wrapping: it is the domain's bug to report.
    throw planFailure ? planFailure.error : error;
  }
}
