import type { Database } from 'better-sqlite3';
import { BallastError } from '../../../core/errors.js';

declare module '../../transaction.js' {
  interface StoreTransactions {
    /** SQLite: the store's own better-sqlite3 connection inside its transaction; write synchronously (no `await`). */
    sqlite: { readonly dialect: 'sqlite'; readonly db: Database };
  }
}

/** The SQLite transaction handle user code gets. */
export interface SqliteTransaction {
  readonly dialect: 'sqlite';
  readonly db: Database;
}

/**
 * Runs `body` with a handle on `db` that works only while `body` runs: better-sqlite3 is
 * synchronous, so work after an `await` would run outside the transaction; every use of the
 * handle's `db` after `body` returned throws `InvalidStateException` instead.
 */
export function withTransactionHandle<R>(db: Database, body: (tx: SqliteTransaction) => R): R {
  let open = true;
  const scoped = new Proxy(db, {
    get(target, property) {
      if (!open)
        throw new BallastError(
          'InvalidStateException',
          'this transaction has ended: on SQLite a transactional handler must be synchronous (no await)',
        );
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  try {
    return body({ dialect: 'sqlite', db: scoped });
  } finally {
    open = false;
  }
}

/** The connection behind a handle this driver made (the contract's union narrowed to SQLite's member). */
export function connectionOf(tx: { readonly dialect: string }): Database {
  return (tx as SqliteTransaction).db;
}
