import { readdirSync, readFileSync } from 'node:fs';
import { BallastError } from '../core/errors.js';

/** One numbered, append-only schema step (`NNNN_name.sql`). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What the runner needs from a driver: a ledger and a way to apply one step under a lock. */
export interface MigrationTarget {
  /**
   * Runs `step` while holding the store's migration lock, with the set of applied versions.
   * `apply` executes one migration and records it in the ledger, in one transaction.
   */
  withLock<T>(step: (applied: ReadonlySet<number>, apply: (m: Migration) => Promise<void>) => Promise<T>): Promise<T>;
}

/** Reads `NNNN_name.sql` files from a directory, ordered by number. */
export function loadMigrations(dir: URL): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));
  return files
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies every migration not yet in the ledger, in order. Refuses to run against a store
 * migrated by a newer Ballast (a ledger version this build does not know).
 */
export async function runMigrations(target: MigrationTarget, migrations: readonly Migration[]): Promise<number> {
  return target.withLock(async (applied, apply) => {
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new BallastError(
        'StoreUnavailable',
        `the store was migrated by a newer Ballast (schema versions ${unknown.join(', ')}); upgrade Ballast`,
      );
    }
    let count = 0;
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await apply(m);
      count++;
    }
    return count;
  });
}
