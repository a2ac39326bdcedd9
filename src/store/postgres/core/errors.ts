import { BallastError, isBallastError } from '../../../core/errors.js';
import type { EnvironmentFailure } from '../../shared/condition.js';

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

/**
 * SQLSTATEs of a server that is up but cannot take writes for a reason outside Ballast: an
 * operator (or time) fixes them, so they are retryable outages, not bugs.
 */
const ENVIRONMENT_STATES: Readonly<Record<string, string>> = {
  '53100': "PostgreSQL's disk is full",
  '53200': 'PostgreSQL is out of memory',
  '58030': 'PostgreSQL reported an I/O error',
  // A failover left us on a standby, or default_transaction_read_only is on.
  '25006': 'PostgreSQL is read-only (a standby, or default_transaction_read_only)',
};

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
  if (
    code !== undefined &&
    (SOCKET_CODES.has(code) || SESSION_STATES.has(code) || code.startsWith('08'))
  )
    return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** True for a deadlock or serialization failure: the transaction was rolled back and can be retried. */
export function isRetryableConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_STATES.has(code);
}

/**
 * The environment failure a raw `pg` error (or a `StoreUnavailable` made from one) stands for:
 * a lost connection, a full disk, an I/O error, a read-only server; null for anything else.
 */
export function environmentFailure(error: unknown): EnvironmentFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  if (isBallastError(error)) {
    return error.code === 'StoreUnavailable'
      ? (environmentFailure(error.cause) ?? { code: 'StoreUnavailable', reason: error.message })
      : null;
  }
  const code = codeOf(error);
  const state = code === undefined ? undefined : ENVIRONMENT_STATES[code];
  if (state !== undefined && code !== undefined) return { code, reason: state };
  if (isConnectionError(error))
    return { code: code ?? 'ECONNECTION', reason: 'PostgreSQL cannot be reached' };
  return null;
}

/**
 * Maps anything a `pg` call threw to a `BallastError`: connection failures and environment
 * failures (full disk, I/O error, read-only server) become `StoreUnavailable`, other database
 * errors `InternalError`; a `BallastError` passes through.
 */
export function toStoreError(error: unknown, what = 'PostgreSQL query'): BallastError {
  if (isBallastError(error)) return error;
  if (isConnectionError(error)) {
    return new BallastError('StoreUnavailable', `PostgreSQL is unavailable (${what})`, {
      cause: error,
    });
  }
  const code = codeOf(error);
  const state = code === undefined ? undefined : ENVIRONMENT_STATES[code];
  if (state !== undefined) {
    return new BallastError(
      'StoreUnavailable',
      `PostgreSQL is unavailable: ${state} (SQLSTATE ${code}, ${what})`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BallastError('InternalError', `${what} failed: ${message}`, { cause: error });
}

/** True when `error` says the store could not be reached or cannot write, raw (`pg`) or already mapped. */
export function isUnavailable(error: unknown): boolean {
  return environmentFailure(error) !== null;
}
