import type { Guard } from '../../shared/bind.js';
import type { BeginOutcome, IdempotencyStore } from '../../idempotency-contract.js';
import { type IdempotencyRow, toIdempotencyRecord } from '../../shared/idempotency-rows.js';
import type { PgBase } from '../core/context.js';
import { nowSql } from '../bus/rows.js';

// One statement decides, race-free across nodes: insert a new record, or replace an expired one,
// or take over a live in-progress one whose lease ended (same fingerprint) — the row lock of
// ON CONFLICT DO UPDATE serialises concurrent callers, and the WHERE lets exactly one of them
// change the row. `prev` is the row as it was; `acquired` says whether this call got it.
const BEGIN = `WITH t AS MATERIALIZED (SELECT ${nowSql(1)} AS now),
prev AS (SELECT * FROM idempotency WHERE scope_key = $2),
up AS (
  INSERT INTO idempotency (scope_key, fingerprint, status, fence, lease_until, outcome, is_error, created_at, completed_at, expires_at)
  SELECT $2, $3, 'in_progress', 1, t.now + $4::bigint, NULL, false, t.now, NULL, t.now + $5::bigint FROM t
  -- Only when the row may be taken: a replay, a mismatch or a live run then locks nothing and
  -- writes nothing, so its statement commits without a WAL flush.
  WHERE NOT EXISTS (SELECT 1 FROM prev WHERE prev.expires_at > t.now
    AND (prev.status = 'completed' OR prev.lease_until > t.now OR prev.fingerprint <> $3))
  ON CONFLICT (scope_key) DO UPDATE SET
    fingerprint = excluded.fingerprint, status = 'in_progress', fence = idempotency.fence + 1,
    lease_until = excluded.lease_until, outcome = NULL, is_error = false,
    created_at = CASE WHEN idempotency.expires_at <= excluded.created_at THEN excluded.created_at ELSE idempotency.created_at END,
    completed_at = NULL,
    expires_at = CASE WHEN idempotency.expires_at <= excluded.created_at THEN excluded.expires_at ELSE idempotency.expires_at END
  WHERE idempotency.expires_at <= excluded.created_at
     OR (idempotency.status = 'in_progress' AND idempotency.lease_until <= excluded.created_at AND idempotency.fingerprint = excluded.fingerprint)
  RETURNING idempotency.fence)
SELECT up.fence AS new_fence, coalesce(prev.expires_at > (SELECT now FROM t), false) AS took_over, cur.*
FROM (SELECT 1) one LEFT JOIN up ON true LEFT JOIN prev ON true LEFT JOIN idempotency cur ON cur.scope_key = $2 AND up.fence IS NULL`;

const COMPLETE = `UPDATE idempotency SET status = 'completed', outcome = $4, is_error = $5, completed_at = ${nowSql(1)}, expires_at = ${nowSql(1)} + $6::bigint
  WHERE scope_key = $2 AND fence = $3 AND status = 'in_progress' RETURNING 1`;

// complete(): the same, and yes when this fence already completed it (a retry after an unknown outcome).
const COMPLETE_AGAIN = `WITH up AS (${COMPLETE})
SELECT EXISTS (SELECT 1 FROM up) OR EXISTS (SELECT 1 FROM idempotency WHERE scope_key = $2 AND fence = $3 AND status = 'completed') AS ok`;

const names = new Map<string, string>();
/** A stable statement name per SQL text (the same on every connection of every pool). */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) names.set(sql, (name = `ballast_idem_${names.size}`));
  return name;
}

/** Thrown inside a transactional run to roll it back when its fence no longer holds. */
const LOST = Symbol('lease lost');

/** The PostgreSQL idempotency store: every call one statement (deadlines by the database clock). */
export function postgresIdempotencyStore(ctx: PgBase, guard: Guard): IdempotencyStore {
  // Every statement is named: parsed and planned once per connection (BEGIN's plan alone costs
  // more than the round trip: 420 µs unnamed vs 180 µs named, measured on the benchmark machine).
  const write = async <R extends object>(
    sql: string,
    params: unknown[],
    what: string,
  ): Promise<R[]> =>
    (
      await ctx.db.write(
        (s) =>
          s.query<R & Record<string, unknown>>({
            name: statementName(sql),
            text: sql,
            values: params,
          }),
        what,
      )
    ).rows;
  return {
    begin: (key, fingerprint, leaseMs, ttlMs) =>
      guard(async (): Promise<BeginOutcome> => {
        let r:
          (Partial<IdempotencyRow> & { new_fence: number | null; took_over: boolean }) | undefined;
        // A caller that lost a race for a new key waited on the winner's row lock, but its
        // statement's snapshot predates the winner's row: the next statement sees it.
        for (let attempt = 0; attempt < 5; attempt++) {
          [r] = await write<
            Partial<IdempotencyRow> & { new_fence: number | null; took_over: boolean }
          >(BEGIN, [ctx.nowParam(), key, fingerprint, leaseMs, ttlMs], 'idempotency begin');
          if (!r || r.new_fence !== null || r.scope_key !== null) break;
        }
        if (!r) throw new Error('idempotency begin returned no row');
        if (r.new_fence !== null && r.new_fence !== undefined) {
          // Replacing an expired record is a fresh start; taking a live one over is not.
          return { kind: 'acquired', fence: r.new_fence, tookOver: r.took_over };
        }
        if (r.fingerprint !== fingerprint) return { kind: 'mismatch' };
        if (r.status === 'completed')
          return {
            kind: 'completed',
            outcome: r.outcome ?? 'null',
            isError: r.is_error === true || r.is_error === 1,
            completedAt: r.completed_at ?? r.created_at ?? 0,
          };
        return { kind: 'inProgress', leaseUntil: r.lease_until ?? 0 };
      }),
    complete: (key, fence, outcome, isError, ttlMs) =>
      guard(async () => {
        const [row] = await write<{ ok: boolean }>(
          COMPLETE_AGAIN,
          [ctx.nowParam(), key, fence, outcome, isError, ttlMs],
          'idempotency complete',
        );
        return row?.ok === true;
      }),
    // The record's row is locked only by the final UPDATE, so callers that arrive meanwhile still
    // see "in progress" at once; one that took over after this lease ended has moved the fence,
    // and this transaction then rolls back (no double effect).
    completeInTransaction: (key, fence, ttlMs, work, encode) =>
      guard(async () => {
        try {
          const value = await ctx.db.txOnce(async (client) => {
            const result = await work({ dialect: 'postgres', client });
            const done = await client.query(COMPLETE, [
              ctx.nowParam(),
              key,
              fence,
              encode(result),
              false,
              ttlMs,
            ]);
            if (done.rowCount === 0) throw LOST;
            return result;
          }, 'idempotency transactional complete');
          return { held: true as const, value };
        } catch (error) {
          if (error === LOST) return { held: false as const };
          throw error;
        }
      }),
    release: (key, fence) =>
      guard(
        async () =>
          (
            await write(
              "DELETE FROM idempotency WHERE scope_key = $1 AND fence = $2 AND status = 'in_progress' RETURNING 1",
              [key, fence],
              'idempotency release',
            )
          ).length > 0,
      ),
    extend: (key, fence, leaseMs) =>
      guard(
        async () =>
          (
            await write(
              `UPDATE idempotency SET lease_until = ${nowSql(1)} + $4::bigint WHERE scope_key = $2 AND fence = $3 AND status = 'in_progress' RETURNING 1`,
              [ctx.nowParam(), key, fence, leaseMs],
              'idempotency extend',
            )
          ).length > 0,
      ),
    get: (key) =>
      guard(async () => {
        const rows = await ctx.db.read<IdempotencyRow>(
          `SELECT * FROM idempotency WHERE scope_key = $2 AND expires_at > ${nowSql(1)}`,
          [ctx.nowParam(), key],
          'idempotency get',
        );
        return rows[0] && toIdempotencyRecord(rows[0]);
      }),
    removeExpired: (limit) =>
      guard(
        async () =>
          (
            await write(
              `DELETE FROM idempotency WHERE scope_key IN (SELECT scope_key FROM idempotency WHERE expires_at <= ${nowSql(1)} LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1`,
              [ctx.nowParam(), limit],
              'idempotency removeExpired',
            )
          ).length,
      ),
  };
}
