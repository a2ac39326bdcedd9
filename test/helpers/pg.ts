/**
 * PostgreSQL for tests: where it is, whether it must be there, and throwaway schemas.
 *
 * URL from `BALLAST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test). When the server
 * is unreachable, database suites are skipped with a warning, unless PostgreSQL is required
 * (`CI=true` or `BALLAST_REQUIRE_PG=1`): then they fail loudly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';

export const PG_URL = process.env.BALLAST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when the database suites must run (CI, or asked for). */
export const requirePg = process.env.CI === 'true' || process.env.BALLAST_REQUIRE_PG === '1';

/** Whether PostgreSQL answers at `url` (a 3 s connection attempt and `SELECT 1`). */
export async function pgAvailable(url = PG_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const reachable = await pgAvailable();

/**
 * `describe` for a suite that needs PostgreSQL: runs it when the server is reachable; otherwise
 * skips it with a warning, or, when PostgreSQL is required, registers a failing test instead.
 */
export function describePg(name: string, body: () => void): void {
  if (reachable) {
    describe(name, body);
    return;
  }
  const where = PG_URL.replace(/:[^:@/]*@/, ':***@');
  if (requirePg) {
    describe(name, () => {
      it('reaches PostgreSQL', () => {
        throw new Error(
          `PostgreSQL not reachable at ${where}, and it is required here (CI=true or BALLAST_REQUIRE_PG=1)`,
        );
      });
    });
    return;
  }
  console.warn(
    `PostgreSQL not reachable at ${where}: database suites skipped (${name}). Set BALLAST_PG_URL to run them.`,
  );
  describe.skip(name, body);
}

const created = new Set<string>();

/** A fresh, unique schema name (`t_<random>`); the schema itself is created by the store. Dropped after the file's tests. */
export function freshSchema(): string {
  const name = `t_${randomBytes(6).toString('hex')}`;
  created.add(name);
  return name;
}

/** Drops every schema handed out by `freshSchema` (best effort). */
export async function dropSchemas(url = PG_URL): Promise<void> {
  if (created.size === 0) return;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const name of created) {
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
      created.delete(name);
    }
  } catch {
    // Best effort: a leftover t_* schema is harmless.
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Every file that uses fresh schemas cleans up after itself.
afterAll(async () => {
  if (reachable) await dropSchemas();
});
