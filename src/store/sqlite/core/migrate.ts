import type { Database } from 'better-sqlite3';
import {
  type FeatureVersion,
  loadMigrations,
  type MigrationTarget,
  runMigrations,
} from '../../migrate.js';

/** Where each version of the legacy global sequence (SQLite 1–9) went. */
const LEGACY: ReadonlyMap<number, FeatureVersion> = new Map([
  [1, { feature: 'queues', version: 1 }],
  [2, { feature: 'queues', version: 2 }],
  [3, { feature: 'bus', version: 1 }],
  [4, { feature: 'bus', version: 2 }],
  [5, { feature: 'bus', version: 3 }],
  [6, { feature: 'bus', version: 4 }],
  [7, { feature: 'idempotency', version: 1 }],
  [8, { feature: 'bus', version: 5 }],
  [9, { feature: 'store', version: 1 }],
]);

/** Creates or upgrades the schema of an open SQLite database (see ../../migrate.ts). */
export async function migrateSqlite(db: Database): Promise<number> {
  return runMigrations(
    sqliteMigrationTarget(db),
    loadMigrations(new URL('../migrations/', import.meta.url)),
    LEGACY,
  );
}

function sqliteMigrationTarget(db: Database): MigrationTarget {
  return {
    async withLock(step) {
      // BEGIN IMMEDIATE takes SQLite's write lock: a second process migrating waits here.
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(`CREATE TABLE IF NOT EXISTS ballast_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
        db.exec(`CREATE TABLE IF NOT EXISTS ballast_schema_migrations (
          feature TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL,
          PRIMARY KEY (feature, version))`);
        const record = db.prepare(
          'INSERT INTO ballast_schema_migrations (feature, version, name, applied_at) VALUES (?, ?, ?, ?)',
        );
        const result = await step({
          legacyVersions: () =>
            Promise.resolve(
              (
                db.prepare('SELECT version FROM ballast_migrations').all() as { version: number }[]
              ).map((r) => r.version),
            ),
          sealLegacy: (version, name) =>
            Promise.resolve(
              void db
                .prepare(
                  'INSERT INTO ballast_migrations (version, name, applied_at) VALUES (?, ?, ?)',
                )
                .run(version, name, Date.now()),
            ),
          applied: () =>
            Promise.resolve(
              db
                .prepare('SELECT feature, version FROM ballast_schema_migrations')
                .all() as FeatureVersion[],
            ),
          record: (m) => Promise.resolve(void record.run(m.feature, m.version, m.name, Date.now())),
          apply: (m) => {
            db.exec(m.sql);
            record.run(m.feature, m.version, m.name, Date.now());
            return Promise.resolve();
          },
        });
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
