import { BALLAST_FEATURES, type Store } from './contract.js';
import { type OpenStoreOptions, openStoreWith } from './registry.js';

export type { OpenStoreOptions } from './registry.js';

/** The default store's file, relative to the working directory. */
export const DEFAULT_STORE_FILE = './.ballast/ballast.db';

/** The default store: embedded SQLite under the working directory. */
export const DEFAULT_STORE_URL = `sqlite:${DEFAULT_STORE_FILE}`;

/**
 * Opens a Ballast store (queues, bus, idempotency) from its URL: `sqlite:<path>` (or
 * `sqlite::memory:`), with `?synchronous=normal` to trade power-loss durability for speed;
 * `postgres://…` / `postgresql://…`, with `?schema=`. A driver without those features (Redis)
 * is refused with `UnsupportedOperation`; see `openStoreWith` (registry.ts) for fewer features.
 */
export function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return openStoreWith(url, BALLAST_FEATURES, options);
}
