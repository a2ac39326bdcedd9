/**
 * Stores migrated before per-feature numbering keep opening: a SQLite file or PostgreSQL schema
 * built with the frozen legacy migrations (test/fixtures/legacy-migrations) and ledger, the way
 * the old runner built it, is converted once, continues with no step re-applied or skipped, and
 * works; a store migrated by a newer Ballast is still refused, before and after the conversion.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/queue/settings.js';
import type { Store } from '../../src/store/contract.js';
import { LEGACY_SEAL, loadMigrations } from '../../src/store/migrate.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { testMessage } from '../helpers/messages.js';

interface LegacyFile {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The frozen migrations of one driver, as the old runner read them (`NNNN_name.sql`, one sequence). */
function legacyFiles(driver: 'sqlite' | 'postgres'): LegacyFile[] {
  const dir = new URL(`../fixtures/legacy-migrations/${driver}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(new URL(f, dir), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

const featureKeys = (driver: 'sqlite' | 'postgres'): string[] =>
  loadMigrations(new URL(`../../src/store/${driver}/migrations/`, import.meta.url))
    .map((m) => `${m.feature}/${m.version}`)
    .sort();

/** What the old runner decided from a ledger: the versions it did not know (non-empty = refuse). */
const oldRunnerUnknown = (driver: 'sqlite' | 'postgres', versions: readonly number[]): number[] => {
  const known = new Set(legacyFiles(driver).map((f) => f.version));
  return versions.filter((v) => !known.has(v));
};

/** Uses every feature of a store: a queue message, a bus event, an idempotency record, a probe write. */
async function exercise(store: Store): Promise<void> {
  const created = await store.queues.createQueue(
    'legacy',
    { ...DEFAULT_QUEUE_SETTINGS },
    {},
    60_000,
  );
  if (created.status === 'deletedRecently') throw new Error('unexpected deletedRecently');
  await store.queues.send(created.queue.id, [testMessage('after-upgrade')]);
  const [received] = await store.queues.receive(created.queue.id, {
    fifo: false,
    max: 1,
    visibilityMs: 30_000,
  });
  expect(received?.body).toBe('after-upgrade');

  const { bus } = await store.bus.createBus('legacy-bus', {
    description: null,
    deadLetterArn: null,
    tags: {},
  });
  const body = JSON.stringify({ source: 'app', detail: {} });
  await store.bus.putEvents([
    {
      busId: bus.id,
      eventId: 'e-legacy',
      body,
      eventTime: await store.now(),
      replayName: null,
      onlyRuleIds: null,
    },
  ]);
  expect((await store.bus.traceEvent('e-legacy'))?.event.body).toBe(body);

  const begun = await store.idempotency.begin('legacy-key', 'fp', 10_000, 60_000);
  expect(begun.kind).toBe('acquired');
  if (begun.kind !== 'acquired') return;
  expect(await store.idempotency.complete('legacy-key', begun.fence, '"done"', false, 60_000)).toBe(
    true,
  );
  expect((await store.idempotency.get('legacy-key'))?.outcome).toBe('"done"');
  await store.probeWrite();
}

describe('legacy SQLite stores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-legacy-'));
  let n = 0;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  /** A database migrated by the old runner up to `upTo` (all by default), plus any extra ledger versions. */
  function legacyDb(upTo = Infinity, extraVersions: number[] = []): string {
    const path = join(dir, `legacy${n++}.db`);
    const db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS ballast_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const ledger = db.prepare(
      'INSERT INTO ballast_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const f of legacyFiles('sqlite').filter((f) => f.version <= upTo)) {
      db.exec(f.sql);
      ledger.run(f.version, f.name, Date.now());
    }
    for (const v of extraVersions) ledger.run(v, 'from-the-future', Date.now());
    db.close();
    return path;
  }

  const ledgers = (path: string) => {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      return {
        features: (
          db.prepare('SELECT feature, version FROM ballast_schema_migrations').all() as {
            feature: string;
            version: number;
          }[]
        )
          .map((r) => `${r.feature}/${r.version}`)
          .sort(),
        legacy: (
          db.prepare('SELECT version FROM ballast_migrations ORDER BY version').all() as {
            version: number;
          }[]
        ).map((r) => r.version),
      };
    } finally {
      db.close();
    }
  };

  it('a fully migrated legacy file opens, its ledger converted once, and every feature works', async () => {
    const path = legacyDb();
    store = await openSqliteStore(path);
    await exercise(store);
    await store.close();
    store = await openSqliteStore(path);
    await store.close();
    const { features, legacy } = ledgers(path);
    expect(features).toEqual(featureKeys('sqlite'));
    expect(legacy).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, LEGACY_SEAL]);
    // An older Ballast now refuses the file instead of migrating it again.
    expect(oldRunnerUnknown('sqlite', legacy)).toEqual([LEGACY_SEAL]);
  });

  it('a partly migrated legacy file continues with exactly the steps it lacks', async () => {
    const path = legacyDb(6);
    store = await openSqliteStore(path);
    await exercise(store);
    await store.close();
    expect(ledgers(path).features).toEqual(featureKeys('sqlite'));
  });

  it('a legacy file migrated by a newer Ballast is refused', async () => {
    await expect(openSqliteStore(legacyDb(Infinity, [10]))).rejects.toThrow(
      /newer Ballast \(schema versions 10\)/,
    );
  });

  it('a converted file with a feature version this build does not know is refused', async () => {
    const path = legacyDb();
    store = await openSqliteStore(path);
    await store.close();
    store = undefined;
    const db = new BetterSqlite3(path);
    db.prepare(
      "INSERT INTO ballast_schema_migrations (feature, version, name, applied_at) VALUES ('streams', 1, 'streams', 0)",
    ).run();
    db.close();
    await expect(openSqliteStore(path)).rejects.toThrow(
      /newer Ballast \(schema versions streams\/1\)/,
    );
  });

  it('a new file is sealed against older Ballasts too', async () => {
    const path = join(dir, `fresh${n++}.db`);
    store = await openSqliteStore(path);
    await store.close();
    store = undefined;
    expect(oldRunnerUnknown('sqlite', ledgers(path).legacy)).toEqual([LEGACY_SEAL]);
  });
});

describePg('legacy PostgreSQL schemas', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /** A schema migrated by the old runner up to `upTo` (all by default), plus any extra ledger versions. */
  async function legacySchema(upTo = Infinity, extraVersions: number[] = []): Promise<string> {
    const schema = freshSchema();
    await withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET LOCAL search_path TO "${schema}"`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS ballast_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
      );
      const ledger =
        'INSERT INTO ballast_migrations (version, name, applied_at) VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)';
      for (const f of legacyFiles('postgres').filter((f) => f.version <= upTo)) {
        await client.query(f.sql);
        await client.query(ledger, [f.version, f.name]);
      }
      for (const v of extraVersions) await client.query(ledger, [v, 'from-the-future']);
      await client.query('COMMIT');
    });
    return schema;
  }

  const ledgers = (schema: string) =>
    withClient(async (client) => ({
      features: (
        await client.query<{ k: string }>(
          `SELECT feature || '/' || version AS k FROM "${schema}".ballast_schema_migrations`,
        )
      ).rows
        .map((r) => r.k)
        .sort(),
      legacy: (
        await client.query<{ version: number }>(
          `SELECT version FROM "${schema}".ballast_migrations ORDER BY version`,
        )
      ).rows.map((r) => r.version),
    }));

  it('a fully migrated legacy schema opens, its ledger converted once, and every feature works', async () => {
    const schema = await legacySchema();
    store = await openPostgresStore(PG_URL, { schema, poolSize: 2 });
    await exercise(store);
    await store.close();
    store = await openPostgresStore(PG_URL, { schema, poolSize: 2 });
    await store.close();
    const { features, legacy } = await ledgers(schema);
    expect(features).toEqual(featureKeys('postgres'));
    expect(legacy).toEqual([1, 2, 3, 4, 5, 6, 7, 8, LEGACY_SEAL]);
    expect(oldRunnerUnknown('postgres', legacy)).toEqual([LEGACY_SEAL]);
  });

  it('a partly migrated legacy schema continues with exactly the steps it lacks', async () => {
    const schema = await legacySchema(5);
    store = await openPostgresStore(PG_URL, { schema, poolSize: 2 });
    await exercise(store);
    await store.close();
    expect((await ledgers(schema)).features).toEqual(featureKeys('postgres'));
  });

  it('a legacy schema migrated by a newer Ballast is refused', async () => {
    const schema = await legacySchema(Infinity, [9]);
    await expect(openPostgresStore(PG_URL, { schema, poolSize: 2 })).rejects.toThrow(
      /newer Ballast \(schema versions 9\)/,
    );
  });

  it('a converted schema with a feature version this build does not know is refused', async () => {
    const schema = await legacySchema();
    store = await openPostgresStore(PG_URL, { schema, poolSize: 2 });
    await store.close();
    store = undefined;
    await withClient((client) =>
      client.query(
        `INSERT INTO "${schema}".ballast_schema_migrations (feature, version, name, applied_at) VALUES ('queues', 99, 'next', 0)`,
      ),
    );
    await expect(openPostgresStore(PG_URL, { schema, poolSize: 2 })).rejects.toThrow(
      /newer Ballast \(schema versions queues\/99\)/,
    );
  });
});
