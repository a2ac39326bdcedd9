/**
 * The idempotency half of the storage contract.
 *
 * Glossary:
 * - record: one idempotency key in one scope (`scopeKey` = scope + key, built by the domain),
 *   with the request's fingerprint, its state and, once completed, its stored outcome.
 * - lease: how long an `in_progress` record belongs to the caller running it; past it, exactly
 *   one later caller takes over.
 * - fence: a number that grows on every take-over. Completing or releasing a record requires
 *   the fence the caller acquired, so a stale holder (its lease expired, someone took over) can
 *   never overwrite the newer holder's record.
 *
 * Time: the store's clock decides leases and expiry (the database clock on PostgreSQL).
 */
import type { StoreTransaction } from './transaction.js';

// Declared with the store contract; re-exported where transactional runs first named it.
export type { StoreTransaction } from './transaction.js';

/** What `begin` found or did. */
export type BeginOutcome =
  /** The caller holds the record now (new, expired, or taken over from a dead holder). */
  | { readonly kind: 'acquired'; readonly fence: number; readonly tookOver: boolean }
  /** Another caller holds it and its lease runs until `leaseUntil` (epoch ms). */
  | { readonly kind: 'inProgress'; readonly leaseUntil: number }
  /** Finished: the stored outcome (JSON text), as a success or a stored error. */
  | {
      readonly kind: 'completed';
      readonly outcome: string;
      readonly isError: boolean;
      readonly completedAt: number;
    }
  /** The key is live with a different fingerprint. */
  | { readonly kind: 'mismatch' };

/** What `completeInTransaction` did: committed the work with the record, or rolled it back. */
export type TransactionalOutcome<T> =
  { readonly held: true; readonly value: T } | { readonly held: false };

/** A record as `get` shows it. */
export interface IdempotencyRecord {
  readonly scopeKey: string;
  readonly fingerprint: string;
  readonly status: 'in_progress' | 'completed';
  readonly fence: number;
  /** Epoch ms; in_progress only. */
  readonly leaseUntil: number;
  readonly outcome: string | null;
  readonly isError: boolean;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Storage for idempotency records. Every method is atomic. */
export interface IdempotencyStore {
  /**
   * Claims `scopeKey` for a run: creates it (in_progress, lease `leaseMs`, kept `ttlMs`) unless a
   * live record exists; a live in_progress record whose lease ended with the same fingerprint is
   * taken over (fence + 1). Otherwise reports what is there.
   */
  begin(
    scopeKey: string,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
  ): Promise<BeginOutcome>;
  /**
   * Stores the outcome if `fence` still holds the record; false when it does not (nothing
   * changed). True again when `fence` already completed it (safe to retry after an unknown outcome).
   */
  complete(
    scopeKey: string,
    fence: number,
    outcome: string,
    isError: boolean,
    ttlMs: number,
  ): Promise<boolean>;
  /** Deletes an in_progress record held with `fence` (the run failed and its error is not kept). */
  release(scopeKey: string, fence: number): Promise<boolean>;
  /** Extends the lease of a record held with `fence`, `leaseMs` from now. */
  extend(scopeKey: string, fence: number, leaseMs: number): Promise<boolean>;
  /** The live record, if any. */
  get(scopeKey: string): Promise<IdempotencyRecord | undefined>;
  /** Deletes records past their expiry (at most `limit`); returns how many. */
  removeExpired(limit: number): Promise<number>;
  /**
   * Present on drivers with transactions users join (absent on Redis): runs `work` in one transaction that then
   * completes the record held with `fence` (outcome `encode(value)`, kept `ttlMs`) — both commit
   * or neither. `held: false` when the fence no longer holds: the work's writes are rolled back.
   * An error thrown by `work` rolls back and reaches the caller unchanged.
   */
  readonly completeInTransaction?: <T>(
    scopeKey: string,
    fence: number,
    ttlMs: number,
    work: (tx: StoreTransaction) => T | Promise<T>,
    encode: (value: T) => string,
  ) => Promise<TransactionalOutcome<T>>;
}
