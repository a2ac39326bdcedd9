import { BallastError, isBallastError } from '../../../core/errors.js';
import type { EnvironmentFailure } from '../../shared/condition.js';

/**
 * better-sqlite3 result codes (`SqliteError.code`, extended codes included) that mean the
 * machine, not the SQL, is at fault. Each is worth a retry once an operator (or time) fixes it.
 */
const SQLITE_REASONS: readonly [RegExp, (code: string) => string][] = [
  // SQLite answers SQLITE_FULL for ENOSPC and for PRAGMA max_page_count alike.
  [/^SQLITE_FULL$/, () => 'the disk is full'],
  [/^SQLITE_IOERR/, (code) => `the disk reported an I/O error (${code})`],
  // The file (or its directory, WAL or shared-memory file) was removed, moved or made unreadable.
  [
    /^SQLITE_CANTOPEN/,
    () => 'the database file cannot be opened (removed, moved, or out of file descriptors)',
  ],
  // Permissions changed, the file system was remounted read-only, or the file was moved (READONLY_DBMOVED).
  [/^SQLITE_READONLY/, (code) => `the database file is read-only (${code})`],
  // Another process held the write lock past busy_timeout (a CLI command, a backup tool).
  [/^SQLITE_BUSY/, () => 'another process holds the database write lock'],
];

/** errno codes an fdatasync of the WAL fails with when the device, not Ballast, is at fault. */
const ERRNO_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EIO: 'the disk reported an I/O error',
  EROFS: 'the file system is read-only',
};

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The environment failure `error` stands for (a raw SQLite or fsync error), or null for anything else. */
export function environmentFailure(error: unknown): EnvironmentFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  if (isBallastError(error)) {
    // Already mapped (e.g. by a nested call): recover the original code from its cause.
    return error.code === 'StoreUnavailable'
      ? (environmentFailure(error.cause) ?? { code: 'StoreUnavailable', reason: error.message })
      : null;
  }
  const code = codeOf(error);
  if (code === undefined) return null;
  for (const [pattern, reason] of SQLITE_REASONS)
    if (pattern.test(code)) return { code, reason: reason(code) };
  const errno = ERRNO_REASONS[code];
  return errno === undefined ? null : { code, reason: errno };
}

/**
 * Maps a raw error from better-sqlite3 or from the WAL fsync: an environment failure becomes a
 * retryable `StoreUnavailable` naming its cause ("the SQLite store is unavailable: the disk is
 * full (SQLITE_FULL)"); anything else passes through unchanged.
 */
export function toSqliteStoreError(error: unknown, failure = environmentFailure(error)): unknown {
  if (failure === null || isBallastError(error)) return error;
  const what = failure.reason.includes(failure.code)
    ? failure.reason
    : `${failure.reason} (${failure.code})`;
  return new BallastError('StoreUnavailable', `the SQLite store is unavailable: ${what}`, {
    cause: error,
  });
}

/** The error a failed fdatasync of the WAL becomes: always `StoreUnavailable` (the acknowledgement cannot be given). */
export function walSyncError(error: unknown): BallastError {
  const failure = environmentFailure(error);
  if (failure !== null) return toSqliteStoreError(error, failure) as BallastError;
  return new BallastError(
    'StoreUnavailable',
    `cannot fsync the SQLite WAL (${codeOf(error) ?? 'unknown error'})`,
    { cause: error },
  );
}
