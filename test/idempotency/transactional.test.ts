/**
 * Transactional runs: the handler's own writes commit with the completed record or not at all,
 * on SQLite (synchronous handler, better-sqlite3) and PostgreSQL (async handler, `pg` client).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  type Idempotency,
  type StoreTransaction,
} from '../../src/idempotency/index.js';
import type { Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { openRedisIdempotencyStore } from '../../src/store/redis/idempotency/index.js';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { describeRedis, freshPrefix, REDIS_URL } from '../helpers/redis.js';

describe('transactional runs on SQLite (synchronous handler)', () => {
  let store: Store;
  let idem: Idempotency;
  beforeEach(async () => {
    store = await openSqliteStore(tempDbPath(), { clock: new FakeClock() });
    idem = createIdempotency({ store });
    await idem.runInTransaction(
      { key: 'setup' },
      (tx) => void sqlite(tx).exec('CREATE TABLE ledger (account TEXT, cents INTEGER)'),
    );
  });
  afterEach(() => store.close());
  const sqlite = (tx: StoreTransaction) => {
    if (tx.dialect !== 'sqlite') throw new Error('expected a SQLite transaction');
    return tx.db;
  };
  const ledger = async () =>
    (
      await idem.runInTransaction({ key: `read-${Math.random()}` }, (tx) =>
        sqlite(tx).prepare('SELECT account, cents FROM ledger').all(),
      )
    ).value;

  it('writes once per key; a replay returns the stored result and writes nothing', async () => {
    const pay = (tx: StoreTransaction) => {
      const { lastInsertRowid } = sqlite(tx)
        .prepare('INSERT INTO ledger VALUES (?, ?)')
        .run('acct-1', 500);
      return { entry: Number(lastInsertRowid) };
    };
    expect(await idem.runInTransaction({ key: 'pay-1', input: { cents: 500 } }, pay)).toEqual({
      value: { entry: 1 },
      replayed: false,
    });
    expect(await idem.runInTransaction({ key: 'pay-1', input: { cents: 500 } }, pay)).toEqual({
      value: { entry: 1 },
      replayed: true,
    });
    expect(await ledger()).toEqual([{ account: 'acct-1', cents: 500 }]);
  });

  it('100 concurrent identical calls write one row; a throwing handler writes nothing and frees the key', async () => {
    let calls = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        idem.runInTransaction({ key: 'burst' }, (tx) => {
          calls++;
          sqlite(tx).prepare('INSERT INTO ledger VALUES (?, ?)').run('burst', 1);
          return 'once';
        }),
      ),
    );
    expect(calls).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await expect(
      idem.runInTransaction({ key: 'fails' }, (tx) => {
        sqlite(tx).prepare('INSERT INTO ledger VALUES (?, ?)').run('fails', 1);
        throw new Error('declined');
      }),
    ).rejects.toThrow('declined');
    expect(
      await idem.runInTransaction({ key: 'fails' }, (tx) =>
        sqlite(tx).prepare("SELECT count(*) AS n FROM ledger WHERE account = 'fails'").get(),
      ),
    ).toEqual({
      value: { n: 0 },
      replayed: false,
    });
    expect(
      await idem.runInTransaction({ key: 'count' }, (tx) =>
        sqlite(tx).prepare('SELECT count(*) AS n FROM ledger').get(),
      ),
    ).toMatchObject({ value: { n: 1 } });
  });

  it('an async handler is refused with a clear error, and its writes are rolled back', async () => {
    const error = await idem
      .runInTransaction({ key: 'async' }, async (tx) => {
        sqlite(tx).prepare('INSERT INTO ledger VALUES (?, ?)').run('async', 1);
        return 'x';
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'InvalidParameterValue',
      message: expect.stringContaining('synchronous'),
    });
    expect(
      await idem.runInTransaction({ key: 'after-async' }, (tx) =>
        sqlite(tx).prepare("SELECT count(*) AS n FROM ledger WHERE account = 'async'").get(),
      ),
    ).toMatchObject({
      value: { n: 0 },
    });
  });
});

describePg('transactional runs on PostgreSQL', () => {
  let store: Store;
  let storeClock: FakeClock;
  beforeEach(async () => {
    storeClock = new FakeClock();
    store = await openPostgresStore(PG_URL, {
      clock: storeClock,
      schema: freshSchema(),
      poolSize: 8,
    });
    await createIdempotency({ store }).runInTransaction({ key: 'setup' }, (tx) =>
      pg(tx).query('CREATE TABLE ledger (account TEXT, cents INT)'),
    );
  });
  afterEach(() => store.close());
  const pg = (tx: StoreTransaction) => {
    if (tx.dialect !== 'postgres') throw new Error('expected a PostgreSQL transaction');
    return tx.client;
  };

  it('100 concurrent identical calls write one row and all but one are told it is in progress', async () => {
    const idem = createIdempotency({ store });
    let calls = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        idem.runInTransaction({ key: 'burst', input: { cents: 1 } }, async (tx) => {
          calls++;
          await pg(tx).query('INSERT INTO ledger VALUES ($1, 1)', ['burst']);
          return 'once';
        }),
      ),
    );
    expect(calls).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => (r.reason as { code?: string }).code === 'IdempotencyInProgress'),
    ).toBe(true);
    expect(
      await idem.runInTransaction({ key: 'burst', input: { cents: 1 } }, () => 'never'),
    ).toEqual({ value: 'once', replayed: true });
    expect(
      await idem.runInTransaction(
        { key: 'count' },
        async (tx) => (await pg(tx).query('SELECT count(*)::int AS n FROM ledger')).rows[0],
      ),
    ).toMatchObject({ value: { n: 1 } });
  });

  it("a paused holder whose lease was taken over commits nothing: only the new holder's writes exist", async () => {
    // The paused holder's own clock never moves (no heartbeat runs), as in a long GC pause or a
    // frozen VM; the store's clock moves past its lease.
    const paused = createIdempotency({ store, clock: new FakeClock(), leaseSeconds: 10 });
    const live = createIdempotency({ store, leaseSeconds: 10 });
    let resume!: () => void;
    const first = paused.runInTransaction({ key: 'order-7' }, async (tx) => {
      await new Promise<void>((r) => (resume = r));
      await pg(tx).query("INSERT INTO ledger VALUES ('paused', 1)");
      return 'paused';
    });
    await waitFor(() => resume !== undefined);
    expect(await codeOf(live.runInTransaction({ key: 'order-7' }, () => 'early'))).toBe(
      'IdempotencyInProgress',
    );
    storeClock.advance(10_000);
    const taken = await live.runInTransaction({ key: 'order-7' }, async (tx, { tookOver }) => {
      await pg(tx).query("INSERT INTO ledger VALUES ('live', 1)");
      return { tookOver };
    });
    expect(taken).toEqual({ value: { tookOver: true }, replayed: false });
    resume();
    expect(await codeOf(first)).toBe('IdempotencyLeaseLost');
    const accounts = await live.runInTransaction(
      { key: 'read' },
      async (tx) => (await pg(tx).query('SELECT account FROM ledger ORDER BY account')).rows,
    );
    expect(accounts.value).toEqual([{ account: 'live' }]);
  });

  it('a handler error rolls back its writes, reaches the caller unchanged, and frees the key for a retry', async () => {
    const idem = createIdempotency({ store });
    const boom = new Error('declined');
    const failing = idem.runInTransaction({ key: 'pay' }, async (tx) => {
      await pg(tx).query("INSERT INTO ledger VALUES ('pay', 1)");
      throw boom;
    });
    await expect(failing).rejects.toBe(boom);
    const retry = await idem.runInTransaction(
      { key: 'pay' },
      async (tx) => (await pg(tx).query('SELECT count(*)::int AS n FROM ledger')).rows[0],
    );
    expect(retry).toEqual({ value: { n: 0 }, replayed: false });
  });
});

describeRedis('transactional runs on Redis', () => {
  it("are refused with UnsupportedOperation (Redis has no transaction spanning the caller's writes)", async () => {
    const redis = await openRedisIdempotencyStore(REDIS_URL, { prefix: freshPrefix() });
    try {
      const idem = createIdempotency({ store: { idempotency: redis } });
      expect(await codeOf(idem.runInTransaction({ key: 'k' }, () => 1))).toBe(
        'UnsupportedOperation',
      );
    } finally {
      await redis.close();
    }
  });
});
