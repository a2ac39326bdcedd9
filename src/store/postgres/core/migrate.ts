import type pg from 'pg';
import {
  type FeatureVersion,
  loadMigrations,
  type Migration,
  type MigrationTarget,
  runMigrations,
} from '../../migrate.js';
import { ident } from './db.js';
import { lockKey } from './options.js';

/** Advisory lock class of Ballast migrations (the object id is a hash of the schema). */
const MIGRATION_LOCK_CLASS = lockKey('ballast:migrate');

/** Where each version of the legacy global sequence (PostgreSQL 1–8) went. */
const LEGACY: ReadonlyMap<number, FeatureVersion> = new Map([
  [1, { feature: 'queues', version: 1 }],
  [2, { feature: 'bus', version: 1 }],
  [3, { feature: 'bus', version: 2 }],
  [4, { feature: 'bus', version: 3 }],
  [5, { feature: 'bus', version: 4 }],
  [6, { feature: 'idempotency', version: 1 }],
  [7, { feature: 'bus', version: 5 }],
  [8, { feature: 'store', version: 1 }],
]);

/** Creates or upgrades the schema (see ../../migrate.ts); creates the schema itself when missing. */
export async function migratePostgres(pool: pg.Pool, schema: string): Promise<number> {
  return runMigrations(
    postgresMigrationTarget(pool, schema),
    loadMigrations(new URL('../migrations/', import.meta.url)),
    LEGACY,
  );
}

/**
 * The migration target of one schema. Everything runs in ONE transaction holding
 * `pg_advisory_xact_lock(ballast:migrate, hash(schema))`: when two nodes start together, the
 * second waits, then finds the ledger up to date and applies nothing. The schema is created
 * here if missing (under the same lock, so concurrent creators cannot collide).
 */
function postgresMigrationTarget(pool: pg.Pool, schema: string): MigrationTarget {
  return {
    async withLock(step) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [
          MIGRATION_LOCK_CLASS,
          lockKey(schema),
        ]);
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
          schema,
        ]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${ident(schema)}`);
        await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ballast_migrations (
          version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
        await client.query(`CREATE TABLE IF NOT EXISTS ballast_schema_migrations (
          feature text NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at bigint NOT NULL,
          PRIMARY KEY (feature, version))`);
        const record = async (m: Migration): Promise<void> => {
          await client.query(
            `INSERT INTO ballast_schema_migrations (feature, version, name, applied_at)
             VALUES ($1, $2, $3, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)`,
            [m.feature, m.version, m.name],
          );
        };
        const result = await step({
          legacyVersions: async () =>
            (
              await client.query<{ version: number }>('SELECT version FROM ballast_migrations')
            ).rows.map((r) => r.version),
          sealLegacy: async (version, name) => {
            await client.query(
              `INSERT INTO ballast_migrations (version, name, applied_at)
               VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)`,
              [version, name],
            );
          },
          applied: async () =>
            (
              await client.query<FeatureVersion>(
                'SELECT feature, version FROM ballast_schema_migrations',
              )
            ).rows,
          record,
          apply: async (m) => {
            await client.query(m.sql);
            await record(m);
          },
        });
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackError: unknown) =>
            client.release(rollbackError instanceof Error ? rollbackError : true),
        );
        throw error;
      }
    },
  };
}
