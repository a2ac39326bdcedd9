import { readdirSync, readFileSync } from 'node:fs';
import { BallastError } from '../core/errors.js';

/**
 * The migration runner every SQL driver uses: append-only `NNNN_name.sql` files numbered per
 * feature (`migrations/<feature>/0001_*.sql`), a ledger of `(feature, version)`, one lock.
 *
 * Ledger history: until per-feature numbering, a driver kept ONE global sequence in
 * `ballast_migrations (version, name, applied_at)` (SQLite 1–9, PostgreSQL 1–8). The first open
 * by this runner converts it once, inside the migration lock: every legacy version is recorded
 * under its feature in `ballast_schema_migrations`, and `ballast_migrations` gets the row
 * `LEGACY_SEAL`, a version no older Ballast knows, so an older Ballast refuses the store as
 * "migrated by a newer Ballast" instead of migrating it again. New stores are sealed the same way.
 */

/** Features in the order their migrations run: a feature's migrations may use objects of the features before it. */
export const MIGRATION_FEATURES = ['store', 'queues', 'bus', 'idempotency'] as const;

/** The global version written to the legacy ledger once it has been converted (see the module comment). */
export const LEGACY_SEAL = 1000;

/** One numbered, append-only schema step of one feature (`<feature>/NNNN_name.sql`). */
export interface Migration {
  readonly feature: string;
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Where a legacy global version went: its feature and version there. */
export interface FeatureVersion {
  readonly feature: string;
  readonly version: number;
}

/** The ledger as a driver exposes it inside the migration lock (one transaction). */
export interface MigrationLedger {
  /** Versions in the legacy `ballast_migrations` table (created empty when missing). */
  legacyVersions(): Promise<number[]>;
  /** Adds a version to the legacy ledger (the seal). */
  sealLegacy(version: number, name: string): Promise<void>;
  /** Every `(feature, version)` in `ballast_schema_migrations` (created when missing). */
  applied(): Promise<FeatureVersion[]>;
  /** Records a migration as applied without running it (legacy conversion). */
  record(m: Migration): Promise<void>;
  /** Runs one migration and records it. */
  apply(m: Migration): Promise<void>;
}

/** What the runner needs from a driver: the ledger, under the store's migration lock, in one transaction. */
export interface MigrationTarget {
  withLock<T>(step: (ledger: MigrationLedger) => Promise<T>): Promise<T>;
}

const FILE = /^\d{4}_[\w-]+\.sql$/;

/** Reads `<feature>/NNNN_name.sql` under `dir`, in run order: features by `MIGRATION_FEATURES` (others after, by name), then number. */
export function loadMigrations(dir: URL): Migration[] {
  const features = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const rank = (f: string): number => {
    const i = (MIGRATION_FEATURES as readonly string[]).indexOf(f);
    return i === -1 ? MIGRATION_FEATURES.length : i;
  };
  features.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return features.flatMap((feature) => {
    const folder = new URL(`${feature}/`, dir);
    return readdirSync(folder)
      .filter((f) => FILE.test(f))
      .map((file) => ({
        feature,
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql: readFileSync(new URL(file, folder), 'utf8'),
      }))
      .sort((a, b) => a.version - b.version);
  });
}

const key = (f: FeatureVersion): string => `${f.feature}/${f.version}`;

const newer = (what: string): BallastError =>
  new BallastError(
    'StoreUnavailable',
    `the store was migrated by a newer Ballast (schema versions ${what}); upgrade Ballast`,
  );

/**
 * Applies every migration not yet in the ledger, in order, after converting a legacy ledger
 * (`legacy` maps each global version of that driver to its feature version). Refuses a store
 * migrated by a newer Ballast: a legacy version not in `legacy`, or a feature version this
 * build does not know. Returns how many migrations ran.
 */
export async function runMigrations(
  target: MigrationTarget,
  migrations: readonly Migration[],
  legacy: ReadonlyMap<number, FeatureVersion>,
): Promise<number> {
  const byKey = new Map(migrations.map((m) => [key(m), m]));
  return target.withLock(async (ledger) => {
    const old = await ledger.legacyVersions();
    if (!old.includes(LEGACY_SEAL)) {
      const unknown = old.filter((v) => !legacy.has(v) || !byKey.has(key(legacy.get(v)!)));
      if (unknown.length > 0) throw newer(unknown.join(', '));
      for (const v of old) await ledger.record(byKey.get(key(legacy.get(v)!))!);
      await ledger.sealLegacy(LEGACY_SEAL, 'ledger-moved-to-ballast_schema_migrations');
    }
    const applied = new Set((await ledger.applied()).map(key));
    const unknown = [...applied].filter((k) => !byKey.has(k));
    if (unknown.length > 0) throw newer(unknown.join(', '));
    let count = 0;
    for (const m of migrations) {
      if (applied.has(key(m))) continue;
      await ledger.apply(m);
      count++;
    }
    return count;
  });
}
