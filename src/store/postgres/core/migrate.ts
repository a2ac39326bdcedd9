import type pg from 'pg';
import type { MigrationTarget } from '../../migrate.js';
import { ident } from './db.js';
import { lockKey } from './options.js';

/** Advisory lock class of Ballast migrations (the object id is a hash of the schema). */
const MIGRATION_LOCK_CLASS = lockKey('ballast:migrate');

/**
 * The migration target of one schema. Everything runs in ONE transaction holding
 * `pg_advisory_xact_lock(ballast:migrate, hash(schema))`: when two nodes start together, the
 * second waits, then finds the ledger up to date and applies nothing. The schema is created
 * here if missing (under the same lock, so concurrent creators cannot collide).
 */
export function postgresMigrationTarget(pool: pg.Pool, schema: string): MigrationTarget {
  return {
    async withLock(step) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [MIGRATION_LOCK_CLASS, lockKey(schema)]);
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${ident(schema)}`);
        await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ballast_migrations (
          version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
        const applied = new Set(
          (await client.query<{ version: number }>('SELECT version FROM ballast_migrations')).rows.map((r) => r.version),
        );
        const result = await step(applied, async (m) => {
          await client.query(m.sql);
          await client.query(
            `INSERT INTO ballast_migrations (version, name, applied_at)
             VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)`,
            [m.version, m.name],
          );
        });
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackError: unknown) => client.release(rollbackError instanceof Error ? rollbackError : true),
        );
        throw error;
      }
    },
  };
}
