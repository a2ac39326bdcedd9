/**
 * A full disk, simulated deterministically for each driver (no root, no mount):
 * - SQLite: `PRAGMA max_page_count` at the current size, after using up the free pages. SQLite
 *   then answers SQLITE_FULL exactly as on a full disk; raising the limit is "freeing space".
 * - PostgreSQL: triggers on the message and probe tables that raise SQLSTATE 53100 (disk_full),
 *   the code PostgreSQL answers when it cannot extend a file.
 */
import type { Database } from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/store/contract.js';
import { sqliteConnectionOf } from '../../src/store/sqlite/driver.js';

/** Makes a store's new writes fail as on a full disk, and undoes it. */
export interface DiskFaults {
  fillDisk(store: Store): Promise<void>;
  freeDisk(store: Store): Promise<void>;
}

/** SQLite's largest page-count limit (the default). */
const NO_PAGE_LIMIT = 4_294_967_294;

function connection(store: Store): Database {
  const db = sqliteConnectionOf(store);
  if (!db) throw new Error('not a store opened by openSqliteStore');
  return db;
}

/** Caps the database at its current size and uses up its free pages: the next write needing a page fails SQLITE_FULL. */
export function fillSqlite(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS test_filler (b BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO test_filler (b) VALUES (zeroblob(256))');
  for (let i = 0; i < 1_000_000; i++) {
    try {
      insert.run();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_FULL') return;
      throw error;
    }
  }
  throw new Error('the page limit never filled up');
}

/** Lifts the page limit: "space is back". */
export function freeSqlite(db: Database): void {
  db.pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
}

/** SQLite's faults. */
export const sqliteDiskFaults: DiskFaults = {
  fillDisk: (store) => Promise.resolve(fillSqlite(connection(store))),
  freeDisk: (store) => Promise.resolve(freeSqlite(connection(store))),
};

const TABLES = ['messages', 'store_probe'];

/** PostgreSQL's faults for stores whose schema `schemaOf` knows. */
export function postgresDiskFaults(url: string, schemaOf: (store: Store) => string): DiskFaults {
  const run = async (store: Store, sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schemaOf(store)}"`);
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    fillDisk: (store) =>
      run(
        store,
        `CREATE OR REPLACE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
         ${TABLES.map((t) => `CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION test_disk_full();`).join('\n')}`,
      ),
    freeDisk: (store) =>
      run(store, TABLES.map((t) => `DROP TRIGGER IF EXISTS test_disk_full ON ${t};`).join('\n')),
  };
}
