/**
 * The idempotency half of the store contract suite: every driver runs it.
 * Time is a FakeClock injected into the driver; nothing here sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore, StoreTransaction } from '../../src/store/idempotency-contract.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

/** Opens a fresh, empty idempotency store whose time comes from `clock`; `close` releases it. */
export type IdemStoreFactory = (
  clock: FakeClock,
) => Promise<{ idempotency: IdempotencyStore; close(): Promise<void> }>;

const LEASE = 10_000;
const TTL = 86_400_000;

// The caller's side of a transactional run speaks the store's own SQL (synchronously on SQLite);
// these helpers are that caller: a table of its own, written and read inside the transaction given.
const OWN_TABLE = 'CREATE TABLE IF NOT EXISTS own_rows (v TEXT NOT NULL)';
function insertOwnRow(tx: StoreTransaction, value: string): void | Promise<void> {
  if (tx.dialect === 'sqlite') {
    tx.db.exec(OWN_TABLE);
    tx.db.prepare('INSERT INTO own_rows (v) VALUES (?)').run(value);
    return;
  }
  return tx.client
    .query(OWN_TABLE)
    .then(() => tx.client.query('INSERT INTO own_rows (v) VALUES ($1)', [value]))
    .then(() => undefined);
}
function ownRows(tx: StoreTransaction): string[] | Promise<string[]> {
  if (tx.dialect === 'sqlite') {
    tx.db.exec(OWN_TABLE);
    return (tx.db.prepare('SELECT v FROM own_rows ORDER BY v').all() as { v: string }[]).map(
      (r) => r.v,
    );
  }
  return tx.client
    .query(OWN_TABLE)
    .then(() => tx.client.query<{ v: string }>('SELECT v FROM own_rows ORDER BY v'))
    .then((r) => r.rows.map((row) => row.v));
}
/** `then` for a value that is a promise on one dialect and plain on the other. */
function andThen<A, B>(value: A | Promise<A>, next: (a: A) => B): B | Promise<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** What a driver can do beyond the core contract. */
export interface IdemCapabilities {
  /** `completeInTransaction` is present (SQLite, PostgreSQL). */
  transactional: boolean;
}

/** Registers the idempotency contract suite for one driver. */
export function idempotencyContract(
  driverName: string,
  open: IdemStoreFactory,
  capabilities: IdemCapabilities,
): void {
  describe(`idempotency store contract: ${driverName}`, () => {
    let store: { idempotency: IdempotencyStore; close(): Promise<void> };
    let clock: FakeClock;
    beforeEach(async () => {
      clock = new FakeClock();
      store = await open(clock);
    });
    afterEach(() => store.close());
    const idem = () => store.idempotency;

    it('the first begin acquires; later ones see it in progress, then its stored outcome', async () => {
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({
        kind: 'acquired',
        fence: 1,
        tookOver: false,
      });
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({
        kind: 'inProgress',
        leaseUntil: clock.now() + LEASE,
      });
      expect(await idem().get('k')).toMatchObject({
        status: 'in_progress',
        fence: 1,
        fingerprint: 'fp',
      });
      clock.advance(5);
      expect(await idem().complete('k', 1, '{"ok":true}', false, TTL)).toBe(true);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({
        kind: 'completed',
        outcome: '{"ok":true}',
        isError: false,
        completedAt: clock.now(),
      });
    });

    it('a different fingerprint on a live key is a mismatch, in progress or completed', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      expect(await idem().begin('k', 'other', LEASE, TTL)).toEqual({ kind: 'mismatch' });
      await idem().complete('k', 1, '"x"', true, TTL);
      expect(await idem().begin('k', 'other', LEASE, TTL)).toEqual({ kind: 'mismatch' });
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({
        kind: 'completed',
        isError: true,
        outcome: '"x"',
      });
    });

    it('after the lease ends exactly one caller takes over, and the stale holder can no longer complete or release', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      clock.advance(LEASE);
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => idem().begin('k', 'fp', LEASE, TTL)),
      );
      expect(results.filter((r) => r.kind === 'acquired')).toEqual([
        { kind: 'acquired', fence: 2, tookOver: true },
      ]);
      expect(results.filter((r) => r.kind === 'inProgress')).toHaveLength(3);
      expect(await idem().complete('k', 1, '"stale"', false, TTL)).toBe(false);
      expect(await idem().release('k', 1)).toBe(false);
      expect(await idem().extend('k', 1, LEASE)).toBe(false);
      expect(await idem().complete('k', 2, '"fresh"', false, TTL)).toBe(true);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({
        kind: 'completed',
        outcome: '"fresh"',
      });
      // A holder retrying its completion (its first answer was lost) is told yes; the stale one still no.
      expect(await idem().complete('k', 2, '"fresh"', false, TTL)).toBe(true);
      expect(await idem().complete('k', 1, '"stale"', false, TTL)).toBe(false);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({
        kind: 'completed',
        outcome: '"fresh"',
      });
    });

    it('concurrent first begins: exactly one acquires, every other caller is told it is in progress', async () => {
      for (const key of ['race-1', 'race-2', 'race-3']) {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => idem().begin(key, 'fp', LEASE, TTL)),
        );
        expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
        expect(results.filter((r) => r.kind !== 'acquired').map((r) => r.kind)).toEqual(
          Array.from({ length: 19 }, () => 'inProgress'),
        );
      }
    });

    it('release frees the key for a new run; extend pushes the lease', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      expect(await idem().extend('k', 1, 3 * LEASE)).toBe(true);
      clock.advance(2 * LEASE);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({ kind: 'inProgress' });
      expect(await idem().release('k', 1)).toBe(true);
      expect(await idem().get('k')).toBeUndefined();
      expect(await idem().begin('k', 'fp2', LEASE, TTL)).toMatchObject({ kind: 'acquired' });
    });

    it('records expire after their ttl: a new run starts, and the sweep removes old ones', async () => {
      await idem().begin('old', 'fp', LEASE, 1000);
      await idem().complete('old', 1, '1', false, 1000);
      await idem().begin('young', 'fp', LEASE, TTL);
      clock.advance(1000);
      expect(await idem().get('old')).toBeUndefined();
      expect(await idem().begin('old', 'new-fp', LEASE, TTL)).toMatchObject({
        kind: 'acquired',
        tookOver: false,
      });
      await idem().begin('gone', 'fp', LEASE, 10);
      clock.advance(10);
      expect(await idem().removeExpired(100)).toBe(1);
      expect(await idem().get('young')).toBeDefined();
    });

    if (!capabilities.transactional) {
      it('has no transactional completion (the capability is absent, so callers are told, not misled)', () => {
        expect(idem().completeInTransaction).toBeUndefined();
      });
      return;
    }

    /** Reads the caller's table inside a transaction of a fresh key. */
    const readOwnRows = async (): Promise<string[]> => {
      const key = `read-${Math.random()}`;
      const begun = await idem().begin(key, 'fp', LEASE, TTL);
      if (begun.kind !== 'acquired') throw new Error('expected to acquire a fresh key');
      const out = await idem().completeInTransaction!(
        key,
        begun.fence,
        TTL,
        ownRows,
        JSON.stringify,
      );
      if (!out.held) throw new Error('expected to hold a fresh key');
      return out.value;
    };

    it("transactional: the work's writes commit together with the completed record", async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      const out = await idem().completeInTransaction!(
        'k',
        1,
        TTL,
        (tx) => andThen(insertOwnRow(tx, 'a'), () => ({ wrote: 'a' })),
        JSON.stringify,
      );
      expect(out).toEqual({ held: true, value: { wrote: 'a' } });
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({
        kind: 'completed',
        outcome: '{"wrote":"a"}',
        isError: false,
      });
      expect(await readOwnRows()).toEqual(['a']);
    });

    it('transactional: a stale holder (its fence moved on) commits neither its writes nor a record', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      clock.advance(LEASE);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({
        kind: 'acquired',
        fence: 2,
      });
      const stale = await idem().completeInTransaction!(
        'k',
        1,
        TTL,
        (tx) => andThen(insertOwnRow(tx, 'stale'), () => 'stale'),
        JSON.stringify,
      );
      expect(stale).toEqual({ held: false });
      expect(await idem().get('k')).toMatchObject({ status: 'in_progress', fence: 2 });
      expect(
        await idem().completeInTransaction!(
          'k',
          2,
          TTL,
          (tx) => andThen(insertOwnRow(tx, 'fresh'), () => 'fresh'),
          JSON.stringify,
        ),
      ).toEqual({ held: true, value: 'fresh' });
      expect(await readOwnRows()).toEqual(['fresh']);
    });

    it('transactional: an error thrown by the work rolls its writes back, reaches the caller unchanged, and leaves the key held', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      const boom = new Error('handler failed');
      const failing = (tx: StoreTransaction) =>
        andThen(insertOwnRow(tx, 'lost'), () => {
          throw boom;
        });
      await expect(
        idem().completeInTransaction!('k', 1, TTL, failing, JSON.stringify),
      ).rejects.toBe(boom);
      expect(await idem().get('k')).toMatchObject({ status: 'in_progress', fence: 1 });
      expect(await readOwnRows()).toEqual([]);
      expect(await idem().release('k', 1)).toBe(true);
    });
  });
}
