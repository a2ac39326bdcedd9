import pg from 'pg';
import { Redis } from 'ioredis';

/** Where the shared services listen (override with BENCH_PG_URL / BENCH_REDIS_URL). */
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `PG_URL` with one more query parameter. */
export function pgUrlWith(param: string, value: string): string {
  const u = new URL(PG_URL);
  u.searchParams.set(param, value);
  return u.toString();
}

/** Runs `fn` on a short-lived PostgreSQL client. */
export async function withPg<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a schema and everything in it (ignores a missing one). */
export async function dropSchema(schema: string): Promise<void> {
  await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`));
}

/** PostgreSQL facts: version string and the settings that decide durability. */
export async function postgresFacts(): Promise<{
  version: string;
  synchronousCommit: string;
  fsync: string;
}> {
  return withPg(async (c) => {
    const v = await c.query<{ version: string }>('SELECT version()');
    const s = await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    const f = await c.query<{ fsync: string }>('SHOW fsync');
    return {
      version: v.rows[0]!.version,
      synchronousCommit: s.rows[0]!.synchronous_commit,
      fsync: f.rows[0]!.fsync,
    };
  });
}

/** Redis facts: version (INFO server) and persistence settings. */
export async function redisFacts(): Promise<{
  version: string;
  save: string;
  appendonly: string;
  appendfsync: string;
}> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    const info = await r.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const get = async (key: string): Promise<string> => {
      const v = (await r.config('GET', key)) as string[];
      return v[1] ?? '';
    };
    return {
      version,
      save: await get('save'),
      appendonly: await get('appendonly'),
      appendfsync: await get('appendfsync'),
    };
  } finally {
    r.disconnect();
  }
}
