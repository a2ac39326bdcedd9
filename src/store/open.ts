import type { Clock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import type { Store } from './contract.js';

/** The default store: embedded SQLite under the working directory. */
export const DEFAULT_STORE_URL = 'sqlite:./.ballast/ballast.db';

/** Options shared by every driver. */
export interface OpenStoreOptions {
  /** Injected time (tests). SQLite always uses it; PostgreSQL uses it instead of the database clock. */
  clock?: Clock;
}

/**
 * Opens a store from its URL: `sqlite:<path>` (or `sqlite::memory:`), with `?synchronous=normal`
 * to trade power-loss durability for speed; `postgres://…` / `postgresql://…`, with `?schema=`.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const [path, query = ''] = url.slice('sqlite:'.length).split('?', 2) as [string, string?];
    if (path === '') throw new BallastError('InvalidStoreUrl', `the SQLite store URL needs a path: sqlite:<path>, got ${url}`);
    const params = new URLSearchParams(query);
    const sync = params.get('synchronous');
    if (sync !== null && sync !== 'full' && sync !== 'normal') {
      throw new BallastError('InvalidStoreUrl', `synchronous must be full or normal, got ${sync}`);
    }
    const { openSqliteStore } = await import('./sqlite/driver.js');
    return openSqliteStore(path, { ...options, ...(sync ? { synchronous: sync } : {}) });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgresStore } = await import('./postgres/driver.js');
    return openPostgresStore(url, options);
  }
  throw new BallastError('InvalidStoreUrl', `unknown store URL ${JSON.stringify(url)}: use sqlite:<path> or postgres://…`);
}
