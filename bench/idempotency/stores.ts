/**
 * Where each system of the idempotency benchmark keeps its records, one fresh place per run, and
 * how Ballast is opened on it. Shared by the per-call measurement (in process) and the HTTP server
 * child, so both measure the same set-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createIdempotency, type Idempotency } from '../../src/idempotency/index.js';
import { openRedisIdempotencyStore } from '../../src/store/redis/idempotency/index.js';
import { dropSchema, pgUrlWith, REDIS_URL } from '../queue/services.js';

export type StoreKind = 'sqlite' | 'postgres' | 'redis';

/** One run's fresh place for records: a store URL, a Redis key prefix, and how to remove it all. */
export interface BenchStore {
  kind: StoreKind;
  url: string;
  /** Prefix of every Redis key written in this run (Redis only; '' elsewhere). */
  prefix: string;
  dispose(): Promise<void>;
}

/** Deletes every Redis key starting with `prefix` (SCAN + UNLINK). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/**
 * A fresh store for run `run`: a new SQLite file in its own temporary directory, a new
 * PostgreSQL schema `bench_idem_<run>`, or a Redis key prefix `ballast-bench-idem:<run>:` on the
 * shared server. `dispose` removes the directory, drops the schema, or deletes the keys.
 */
export async function freshStore(kind: StoreKind, run: string): Promise<BenchStore> {
  switch (kind) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), `ballast-bench-idem-${run}-`));
      return {
        kind,
        url: `sqlite:${join(dir, 'idem.db')}`,
        prefix: '',
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case 'postgres': {
      const schema = `bench_idem_${run}`;
      await dropSchema(schema);
      return {
        kind,
        url: pgUrlWith('schema', schema),
        prefix: '',
        dispose: () => dropSchema(schema),
      };
    }
    case 'redis': {
      const prefix = `ballast-bench-idem:${run}:`;
      return { kind, url: REDIS_URL, prefix, dispose: () => deleteRedisKeys(prefix) };
    }
  }
}

/**
 * Ballast's idempotency helper on `url`: `createIdempotency({ store: url })` for SQLite and
 * PostgreSQL; on Redis the same helper over the Redis store opened with the run's key prefix
 * (the URL form always writes under `ballast:idem:`). Defaults otherwise (24 h TTL, 60 s lease).
 */
export async function openBallastIdempotency(
  url: string,
  redisPrefix: string,
): Promise<{ idem: Idempotency; close: () => Promise<void> }> {
  if (url.startsWith('redis://')) {
    const store = await openRedisIdempotencyStore(url, { prefix: redisPrefix });
    return {
      idem: createIdempotency({ store: { idempotency: store } }),
      close: () => store.close(),
    };
  }
  const idem = createIdempotency({ store: url });
  return { idem, close: () => idem.close() };
}
