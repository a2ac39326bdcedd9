import { BallastError, isBallastError } from '../../core/errors.js';

/** Node socket errors that mean "the server could not be reached or the connection broke". */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean the session is gone or cannot start: class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now: what `pg_terminate_backend` and a
 * server restart send), 53300 (too many connections).
 */
const SESSION_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages `pg` and `pg-pool` use for connections that broke or never came up (they carry no code). */
const CONNECTION_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|terminating connection|server closed the connection/i;

/** SQLSTATEs after which a transaction was rolled back and may simply run again. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` means the connection to PostgreSQL failed (not the SQL). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || isBallastError(error)) return false;
  const code = codeOf(error);
  if (code !== undefined && (SOCKET_CODES.has(code) || SESSION_STATES.has(code) || code.startsWith('08'))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** True for a deadlock or serialization failure: the transaction was rolled back and can be retried. */
export function isRetryableConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_STATES.has(code);
}

/**
 * Maps anything a `pg` call threw to a `BallastError`: connection failures become
 * `StoreUnavailable`, other database errors `InternalError`; a `BallastError` passes through.
 */
export function toStoreError(error: unknown, what = 'PostgreSQL query'): BallastError {
  if (isBallastError(error)) return error;
  if (isConnectionError(error)) {
    return new BallastError('StoreUnavailable', `PostgreSQL is unavailable (${what})`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BallastError('InternalError', `${what} failed: ${message}`, { cause: error });
}

/** True when `error` says the store could not be reached, raw (`pg`) or already mapped. */
export function isUnavailable(error: unknown): boolean {
  return isConnectionError(error) || (isBallastError(error) && error.code === 'StoreUnavailable');
}
