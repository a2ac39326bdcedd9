/**
 * The driver registry: which driver answers a store URL, and which feature stores it offers.
 * The ONLY file outside src/store/<driver>/ that imports a driver (lazily: a driver's database
 * client loads when a store of it is first opened). Adding a driver is one entry here.
 */
import type { Clock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import {
  type AnyStore,
  type FeatureName,
  missingFeatures,
  requireFeatures,
  type Store,
  unsupportedFeatures,
} from './contract.js';

// The drivers' transaction handles (declaration merging into StoreTransactions): re-exported so
// that every program that can open a store sees them, in this build and in the published types.
export type { SqliteTransaction } from './sqlite/core/transaction.js';
export type { PostgresTransaction } from './postgres/core/transaction.js';

/** Options shared by every driver. */
export interface OpenStoreOptions {
  /** Injected time (tests). SQLite always uses it; PostgreSQL and Redis use it instead of the database clock. */
  clock?: Clock;
}

/** One driver: the URLs it answers, the feature stores it offers, how to open one. */
export interface StoreDriver {
  /** The driver's name, as stores of it report in `kind`. */
  readonly name: string;
  /** URL prefixes (schemes) it answers. */
  readonly schemes: readonly string[];
  /** The feature stores its stores offer, known before connecting. */
  readonly features: readonly FeatureName[];
  /** Opens a store (the driver module is imported on first use). */
  readonly open: (url: string, options: OpenStoreOptions) => Promise<AnyStore>;
}

/** Every driver of this build. */
export const STORE_DRIVERS: readonly StoreDriver[] = [
  {
    name: 'sqlite',
    schemes: ['sqlite:'],
    features: ['queues', 'bus', 'idempotency'],
    open: async (url, options) => (await import('./sqlite/url.js')).openSqliteUrl(url, options),
  },
  {
    name: 'postgres',
    schemes: ['postgres://', 'postgresql://'],
    features: ['queues', 'bus', 'idempotency'],
    open: async (url, options) =>
      (await import('./postgres/driver.js')).openPostgresStore(url, options),
  },
  {
    name: 'redis',
    schemes: ['redis://', 'rediss://'],
    features: ['idempotency'],
    open: async (url, options) => (await import('./redis/driver.js')).openRedisStore(url, options),
  },
];

/** The driver answering `url`; `InvalidStoreUrl` when none does. */
export function driverFor(url: string): StoreDriver {
  const driver = STORE_DRIVERS.find((d) => d.schemes.some((scheme) => url.startsWith(scheme)));
  if (driver) return driver;
  const schemes = STORE_DRIVERS.flatMap((d) => d.schemes).join(', ');
  throw new BallastError(
    'InvalidStoreUrl',
    `unknown store URL ${JSON.stringify(url)}: use sqlite:<path> or postgres://… (schemes: ${schemes})`,
  );
}

/**
 * Opens the store at `url` with the feature stores `features`: `UnsupportedOperation` (naming
 * the driver and what it lacks) before connecting when its driver does not offer them all.
 */
export async function openStoreWith<F extends FeatureName>(
  url: string,
  features: readonly F[],
  options: OpenStoreOptions = {},
): Promise<Store<F>> {
  const driver = driverFor(url);
  const missing = missingFeatures(driver.features, features);
  if (missing.length > 0) throw unsupportedFeatures(driver.name, missing, driver.features);
  const store = await driver.open(url, options);
  try {
    return requireFeatures(store, features);
  } catch (error) {
    // The driver declared features its store does not have: do not leak its connections.
    await store.close();
    throw error;
  }
}
