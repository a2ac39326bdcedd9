import { BallastError } from '../../core/errors.js';
import type { Store } from '../contract.js';
import { openSqliteStore, type SqliteStoreOptions } from './driver.js';

/**
 * Opens a SQLite store from its URL: `sqlite:<path>` (or `sqlite::memory:`), with
 * `?synchronous=normal` to trade power-loss durability for speed.
 */
export function openSqliteUrl(
  url: string,
  options: Omit<SqliteStoreOptions, 'synchronous'> = {},
): Promise<Store> {
  const [path, query = ''] = url.slice('sqlite:'.length).split('?', 2) as [string, string?];
  if (path === '')
    throw new BallastError(
      'InvalidStoreUrl',
      `the SQLite store URL needs a path: sqlite:<path>, got ${url}`,
    );
  const sync = new URLSearchParams(query).get('synchronous');
  if (sync !== null && sync !== 'full' && sync !== 'normal') {
    throw new BallastError('InvalidStoreUrl', `synchronous must be full or normal, got ${sync}`);
  }
  return openSqliteStore(path, { ...options, ...(sync ? { synchronous: sync } : {}) });
}
