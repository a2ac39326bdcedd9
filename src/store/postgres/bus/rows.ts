import type { DeliveryAttempt } from '../../bus-contract.js';

// Every bus statement runs on the store's pool, where int8 arrives as a number (BALLAST_TYPES),
// and nested rows come through to_jsonb, where it is a JSON number: no Number() needed here.

export {
  type DeliveryRow,
  dispatchErrorOf,
  type EventRow,
  MAX_HISTORY,
  toDelivery,
  toEvent,
  toParked,
} from '../../shared/bus-rows.js';

/** One attempt as stored in `history` (only the contract's fields). */
export const attemptJson = (a: DeliveryAttempt): string =>
  JSON.stringify({ at: a.at, ok: a.ok, error: a.error, message: a.message });

/** `$n::bigint` defaulting to the database clock: the `now` of every bus statement. */
export const nowSql = (n: number): string => `coalesce($${n}::bigint, ballast_now_ms())`;
