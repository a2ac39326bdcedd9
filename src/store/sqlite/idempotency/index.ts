import type { Guard } from '../../shared/bind.js';
import { BallastError } from '../../../core/errors.js';
import type { BeginOutcome, IdempotencyStore } from '../../idempotency-contract.js';
import { type IdempotencyRow, toIdempotencyRecord } from '../../shared/idempotency-rows.js';
import type { SqliteContext } from '../core/context.js';
import { withTransactionHandle } from '../core/transaction.js';
import { stmt } from '../core/statements.js';

/**
 * What a live record answers without any write: completed, mismatch, or in progress with a lease
 * still running; undefined when the caller may acquire it (absent, expired, or its lease ended).
 */
function settled(
  row: IdempotencyRow | undefined,
  fingerprint: string,
  now: number,
): BeginOutcome | undefined {
  if (!row || row.expires_at <= now) return undefined;
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status === 'completed')
    return {
      kind: 'completed',
      outcome: row.outcome ?? 'null',
      isError: row.is_error === 1 || row.is_error === true,
      completedAt: row.completed_at ?? row.created_at,
    };
  if (row.lease_until > now) return { kind: 'inProgress', leaseUntil: row.lease_until };
  return undefined;
}

/** The SQLite idempotency store: every write one short group-committed transaction; a completed record is durable (fsynced) before it is acknowledged. */
export function sqliteIdempotencyStore(ctx: SqliteContext, guard: Guard): IdempotencyStore {
  const read = (key: string): IdempotencyRow | undefined =>
    stmt(ctx.db, 'SELECT * FROM idempotency WHERE scope_key = ?').get(key) as
      IdempotencyRow | undefined;
  const completeRow = (
    key: string,
    fence: number,
    outcome: string,
    isError: boolean,
    ttlMs: number,
  ): boolean => {
    const now = ctx.now();
    return (
      stmt(
        ctx.db,
        `UPDATE idempotency SET status = 'completed', outcome = ?, is_error = ?, completed_at = ?, expires_at = ?
         WHERE scope_key = ? AND fence = ? AND status = 'in_progress'`,
      ).run(outcome, isError ? 1 : 0, now, now + ttlMs, key, fence).changes > 0
    );
  };
  // Completing again with the fence that completed it says yes: a retry after an unknown outcome.
  const completedBy = (key: string, fence: number): boolean =>
    stmt(
      ctx.db,
      "SELECT 1 FROM idempotency WHERE scope_key = ? AND fence = ? AND status = 'completed'",
    ).get(key, fence) !== undefined;
  return {
    begin: (key, fingerprint, leaseMs, ttlMs) =>
      guard(() => {
        // Reads first, outside any transaction: a replay, a mismatch or a live run needs no write.
        const seen = settled(read(key), fingerprint, ctx.now());
        if (seen) return seen;
        // Not durable (no fsync wait): an in-progress record guards against concurrent runs, and a
        // power loss that could undo it also ends every process that could be running it.
        return ctx.commit.run((): BeginOutcome => {
          const now = ctx.now();
          const row = read(key);
          if (!row || row.expires_at <= now) {
            stmt(
              ctx.db,
              `INSERT INTO idempotency (scope_key, fingerprint, status, fence, lease_until, outcome, is_error, created_at, expires_at)
               VALUES (?, ?, 'in_progress', ?, ?, NULL, 0, ?, ?)
               ON CONFLICT (scope_key) DO UPDATE SET fingerprint = excluded.fingerprint, status = 'in_progress', fence = excluded.fence,
                 lease_until = excluded.lease_until, outcome = NULL, is_error = 0, created_at = excluded.created_at, completed_at = NULL, expires_at = excluded.expires_at`,
            ).run(key, fingerprint, (row?.fence ?? 0) + 1, now + leaseMs, now, now + ttlMs);
            return { kind: 'acquired', fence: (row?.fence ?? 0) + 1, tookOver: false };
          }
          const other = settled(row, fingerprint, now);
          if (other) return other;
          const fence = row.fence + 1;
          stmt(ctx.db, 'UPDATE idempotency SET fence = ?, lease_until = ? WHERE scope_key = ?').run(
            fence,
            now + leaseMs,
            key,
          );
          return { kind: 'acquired', fence, tookOver: true };
        }, false);
      }),
    complete: (key, fence, outcome, isError, ttlMs) =>
      guard(() =>
        ctx.commit.run(
          () => completeRow(key, fence, outcome, isError, ttlMs) || completedBy(key, fence),
        ),
      ),
    completeInTransaction: async (key, fence, ttlMs, work, encode) => {
      const lost = Symbol('lease lost');
      try {
        // One group-commit job is one savepoint: a throw undoes the work's writes and nothing else.
        const value = await guard(() =>
          ctx.commit.run(() => {
            const result = withTransactionHandle(ctx.db, work);
            if (isThenable(result)) {
              void Promise.resolve(result).catch(() => undefined);
              throw new BallastError(
                'InvalidParameterValue',
                'On SQLite a transactional handler must be synchronous (better-sqlite3 statements are synchronous, and an await would let other work into the transaction).',
              );
            }
            if (!completeRow(key, fence, encode(result), false, ttlMs)) throw lost;
            return result;
          }),
        );
        return { held: true, value };
      } catch (error) {
        if (error === lost) return { held: false };
        throw error;
      }
    },
    release: (key, fence) =>
      guard(() =>
        ctx.commit.run(
          () =>
            stmt(
              ctx.db,
              "DELETE FROM idempotency WHERE scope_key = ? AND fence = ? AND status = 'in_progress'",
            ).run(key, fence).changes > 0,
          false,
        ),
      ),
    extend: (key, fence, leaseMs) =>
      guard(() =>
        ctx.commit.run(
          () =>
            stmt(
              ctx.db,
              "UPDATE idempotency SET lease_until = ? WHERE scope_key = ? AND fence = ? AND status = 'in_progress'",
            ).run(ctx.now() + leaseMs, key, fence).changes > 0,
          false,
        ),
      ),
    get: (key) =>
      guard(() => {
        const row = read(key);
        return row && row.expires_at > ctx.now() ? toIdempotencyRecord(row) : undefined;
      }),
    removeExpired: (limit) =>
      guard(() =>
        ctx.commit.run(
          () =>
            stmt(
              ctx.db,
              'DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE expires_at <= ? LIMIT ?)',
            ).run(ctx.now(), limit).changes,
          false,
        ),
      ),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
