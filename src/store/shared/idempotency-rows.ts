import type { IdempotencyRecord } from '../idempotency-contract.js';

/** An `idempotency` row as both drivers read it (SQLite's booleans are 0/1). */
export interface IdempotencyRow {
  scope_key: string;
  fingerprint: string;
  status: 'in_progress' | 'completed';
  fence: number;
  lease_until: number;
  outcome: string | null;
  is_error: boolean | number;
  created_at: number;
  completed_at: number | null;
  expires_at: number;
}

/** Maps an `idempotency` row. */
export const toIdempotencyRecord = (r: IdempotencyRow): IdempotencyRecord => ({
  scopeKey: r.scope_key,
  fingerprint: r.fingerprint,
  status: r.status,
  fence: r.fence,
  leaseUntil: r.lease_until,
  outcome: r.outcome,
  isError: r.is_error === true || r.is_error === 1,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});
