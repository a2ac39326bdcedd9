import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { type Clock, systemClock } from '../../core/clock.js';
import { BallastError } from '../../core/errors.js';
import { StoreConditionTracker } from '../shared/condition.js';
import { BALLAST_FEATURES, type Store, type StoreCapabilities } from '../contract.js';
import { WakeHub } from '../shared/wake.js';
import type { SqliteContext } from './core/context.js';
import { migrateSqlite } from './core/migrate.js';
import { sqliteBusStore } from './bus/index.js';
import { sqliteQueueStore } from './queues/index.js';
import { sqliteIdempotencyStore } from './idempotency/index.js';
import { GroupCommit } from './core/group-commit.js';
import { environmentFailure, toSqliteStoreError, walSyncError } from './core/errors.js';
import { stmt } from './core/statements.js';

/** Options of the embedded SQLite store. */
export interface SqliteStoreOptions {
  /** Time source. @defaultValue systemClock */
  clock?: Clock;
  /**
   * `full`: an acknowledged send is fsynced (survives power loss), off the event loop.
   * `normal`: no fsync; survives a process crash (`kill -9`), may lose the last commits on power
   * loss. @defaultValue 'full'
   */
  synchronous?: 'full' | 'normal';
  /** Milliseconds to wait for another process's write lock. @defaultValue 5000 */
  busyTimeoutMs?: number;
}

const CAPABILITIES: StoreCapabilities = {
  crossProcessWakeups: false,
  multiNode: false,
  databaseClock: false,
  synchronousTransactions: true,
};

/** Each open store's connection, for tests that simulate a full disk (`PRAGMA max_page_count`). */
const connections = new WeakMap<Store, Database>();

/**
 * The better-sqlite3 connection behind a store opened by `openSqliteStore`, or undefined.
 * @internal For tests only: writing through it bypasses the group commit.
 */
export function sqliteConnectionOf(store: Store): Database | undefined {
  return connections.get(store);
}

// Inserted and deleted in one job: it needs fresh pages like a send does, and leaves nothing behind.
const PROBE_INSERT = 'INSERT INTO store_probe (at, pad) VALUES (?, zeroblob(4096))';
const PROBE_DELETE = 'DELETE FROM store_probe';

/** Opens (creating and migrating if needed) a SQLite store at `path` (`:memory:` for a throwaway one). */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<Store> {
  const clock = options.clock ?? systemClock;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(path);
  } catch (cause) {
    throw new BallastError('StoreUnavailable', `cannot open SQLite database at ${path}`, { cause });
  }
  try {
    db.pragma('journal_mode = WAL');
    // Commits never fsync on the event loop; durable acks fsync the WAL on the thread pool (GroupCommit).
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('foreign_keys = ON');
    await migrateSqlite(db);
  } catch (error) {
    // A full disk or a read-only file at start is an outage like any other, not a bug.
    db.close();
    throw toSqliteStoreError(error);
  }

  const wake = new WakeHub();
  const condition = new StoreConditionTracker(() => clock.now());
  // Every error leaving the store passes here: environment failures become StoreUnavailable
  // and mark the store not writable; anything else (a constraint, a bug) passes unchanged.
  const mapError = (error: unknown): unknown => {
    const failure = environmentFailure(error);
    if (failure === null) return error;
    condition.failed(failure);
    return toSqliteStoreError(error, failure);
  };
  const pendingWakes = new Set<number>();
  const walFd =
    options.synchronous === 'normal' || path === ':memory:' ? null : openSync(`${path}-wal`, 'r');
  const syncWal =
    walFd === null
      ? null
      : () =>
          new Promise<void>((resolve, reject) =>
            fdatasync(walFd, (error) => (error ? reject(walSyncError(error)) : resolve())),
          );
  const commit = new GroupCommit(
    db,
    () => {
      for (const id of pendingWakes) wake.fire(id);
      pendingWakes.clear();
    },
    syncWal,
    undefined,
    () => condition.succeeded(),
  );
  const ctx: SqliteContext = {
    db,
    now: () => clock.now(),
    commit,
    wake,
    wakeAfterCommit: (id) => pendingWakes.add(id),
  };
  let closed = false;
  // Every call answers with a promise, rejected (never thrown) once the store is closed.
  const guard = <T>(fn: () => T | Promise<T>): Promise<T> => {
    try {
      if (closed) throw new BallastError('Closed', 'the store is closed');
      return Promise.resolve(fn()).catch((error: unknown) => {
        throw mapError(error);
      });
    } catch (error) {
      return Promise.reject(mapError(error));
    }
  };

  const guardSync = <T>(fn: () => T): T => {
    if (closed) throw new BallastError('Closed', 'the store is closed');
    try {
      return fn();
    } catch (error) {
      throw mapError(error);
    }
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    // Let writes already submitted commit (and fsync) before the connection goes away.
    await commit.run(() => undefined).catch(() => undefined);
    await commit.drain();
    closed = true;
    db.close();
    if (walFd !== null) closeSync(walFd);
  };
  const store: Store = {
    kind: 'sqlite',
    features: BALLAST_FEATURES,
    capabilities: CAPABILITIES,
    queues: sqliteQueueStore(ctx, guard, guardSync),
    bus: sqliteBusStore(ctx, guard),
    idempotency: sqliteIdempotencyStore(ctx, guard),
    now: () => Promise.resolve(clock.now()),
    ping: () => guard(() => void db.prepare('SELECT 1').get()),
    condition: () => condition.condition,
    probeWrite: () =>
      guard(() =>
        commit.run(() => {
          stmt(db, PROBE_INSERT).run(clock.now());
          stmt(db, PROBE_DELETE).run();
        }),
      ),
    onCondition: (listener) => condition.on(listener),
    close,
    [Symbol.asyncDispose]: close,
  };
  connections.set(store, db);
  return store;
}
