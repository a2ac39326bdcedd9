import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  fingerprintOf,
  type Idempotency,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  ReplayedError,
  scopedKey,
} from '../../src/idempotency/index.js';
import type { IdempotencyStore } from '../../src/store/idempotency-contract.js';
import { openRedisIdempotencyStore } from '../../src/store/redis/idempotency/index.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { describeRedis, freshPrefix, REDIS_URL } from '../helpers/redis.js';

type Holder = { idempotency: IdempotencyStore; close(): Promise<void> };

function suite(name: string, open: (clock: FakeClock) => Promise<Holder>): void {
  describe(`idempotency core on ${name}`, () => {
    let store: Holder;
    let clock: FakeClock;
    let idem: Idempotency;
    beforeEach(async () => {
      clock = new FakeClock();
      store = await open(clock);
      idem = createIdempotency({ store, clock, leaseSeconds: 10 });
    });
    afterEach(() => store.close());

    it('runs once per key and replays the stored result; key order in the input does not matter', async () => {
      let calls = 0;
      const fn = () => ({ order: ++calls });
      expect(await idem.run({ key: 'k1', input: { a: 1, b: [1, { c: 2, d: 3 }] } }, fn)).toEqual({
        value: { order: 1 },
        replayed: false,
      });
      expect(await idem.run({ key: 'k1', input: { b: [1, { d: 3, c: 2 }], a: 1 } }, fn)).toEqual({
        value: { order: 1 },
        replayed: true,
      });
      expect(calls).toBe(1);
    });

    it('the same key with a different request is IdempotencyKeyReused; selected fields ignore the rest', async () => {
      await idem.run({ key: 'k', input: { amount: 5 } }, () => 'ok');
      expect(await codeOf(idem.run({ key: 'k', input: { amount: 6 } }, () => 'no'))).toBe(
        'IdempotencyKeyReused',
      );
      await idem.run(
        { key: 'f', input: { amount: 5, sentAt: 1 }, fields: ['amount'] },
        () => 'first',
      );
      expect(
        await idem.run(
          { key: 'f', input: { amount: 5, sentAt: 2 }, fields: ['amount'] },
          () => 'second',
        ),
      ).toEqual({ value: 'first', replayed: true });
      // Typed errors, and a fingerprint the caller computed instead of the input's hash.
      await expect(idem.run({ key: 'k', input: { amount: 7 } }, () => 'no')).rejects.toBeInstanceOf(
        IdempotencyKeyReusedError,
      );
      await idem.run({ key: 'own', fingerprint: 'order-v1:abc' }, () => 'mine');
      expect(
        await idem.run(
          { key: 'own', fingerprint: 'order-v1:abc', input: { ignored: true } },
          () => 'x',
        ),
      ).toEqual({ value: 'mine', replayed: true });
      expect(await codeOf(idem.run({ key: 'own', fingerprint: 'order-v1:def' }, () => 'x'))).toBe(
        'IdempotencyKeyReused',
      );
      expect(await codeOf(idem.run({ key: 'own2', fingerprint: 'x'.repeat(256) }, () => 'x'))).toBe(
        'InvalidParameterValue',
      );
    });

    it('keys never cross scopes', async () => {
      await idem.run({ key: 'k', scope: 'tenant-a' }, () => 'a');
      expect(await idem.run({ key: 'k', scope: 'tenant-b' }, () => 'b')).toEqual({
        value: 'b',
        replayed: false,
      });
    });

    it('a run in progress answers IdempotencyInProgress, or the result when the caller waits', async () => {
      let release!: () => void;
      const first = idem.run(
        { key: 'slow' },
        () => new Promise<string>((r) => (release = () => r('done'))),
      );
      await waitFor(() => release !== undefined);
      const busy = await idem.run({ key: 'slow' }, () => 'dup').catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(IdempotencyInProgressError);
      expect((busy as IdempotencyInProgressError).retryAfterSeconds).toBe(10);
      const parked = clock.pendingSleepers;
      let settled = false;
      const waiting = idem
        .run({ key: 'slow', waitMs: 5_000 }, () => 'dup')
        .finally(() => (settled = true));
      await waitFor(() => clock.pendingSleepers > parked); // it found the key in progress and waits
      release();
      expect(await first).toEqual({ value: 'done', replayed: false });
      // Time moves in its 100 ms steps until it sees the result: a slow store delays the answer,
      // it does not make the loop run out of steps (the wait is 5 s of the fake clock).
      for (let waited = 0; !settled && waited < 5_000; waited += 100) {
        await waitFor(() => settled || clock.pendingSleepers > 0);
        clock.advance(100);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await waiting).toEqual({ value: 'done', replayed: true });
    });

    it('100 concurrent identical calls execute once', async () => {
      let calls = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () =>
          idem.run({ key: 'burst', input: { x: 1 } }, async () => {
            calls++;
            await new Promise((r) => setTimeout(r, 20));
            return 'once';
          }),
        ),
      );
      expect(calls).toBe(1);
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      expect(
        results
          .filter((r) => r.status === 'rejected')
          .every((r) => (r.reason as { code?: string }).code === 'IdempotencyInProgress'),
      ).toBe(true);
    });

    it('a dead holder is taken over after its lease, and its late completion cannot overwrite', async () => {
      const scopeKey = scopedKey('', 'orphan');
      const dead = await store.idempotency.begin(scopeKey, fingerprintOf(null), 10_000, 86_400_000);
      expect(dead.kind).toBe('acquired');
      expect(await codeOf(idem.run({ key: 'orphan' }, () => 'x'))).toBe('IdempotencyInProgress');
      clock.advance(10_000);
      const r = await idem.run({ key: 'orphan' }, ({ tookOver }) => ({ tookOver }));
      expect(r).toEqual({ value: { tookOver: true }, replayed: false });
      expect(await store.idempotency.complete(scopeKey, 1, '"stale"', false, 1000)).toBe(false);
      expect(await idem.run({ key: 'orphan' }, () => 'again')).toEqual({
        value: { tookOver: true },
        replayed: true,
      });
    });

    it('a thrown error releases the key by default; with storeErrors it is stored and replayed', async () => {
      let calls = 0;
      await expect(
        idem.run({ key: 'e' }, () => {
          calls++;
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await idem.run({ key: 'e' }, () => ++calls)).toEqual({ value: 2, replayed: false });
      const keeping = createIdempotency({ store, clock, storeErrors: true });
      const fail = () => {
        throw Object.assign(new Error('card declined'), { code: 'card_declined' });
      };
      await expect(keeping.run({ key: 's' }, fail)).rejects.toThrow('card declined');
      const replay = await keeping.run({ key: 's' }, () => 'never').catch((e: unknown) => e);
      expect(replay).toBeInstanceOf(ReplayedError);
      expect((replay as ReplayedError).original).toEqual({
        name: 'Error',
        message: 'card declined',
        code: 'card_declined',
      });
    });

    it('records expire after ttlSeconds; bad keys are refused', async () => {
      const short = createIdempotency({ store, clock, ttlSeconds: 60 });
      await short.run({ key: 'ttl' }, () => 1);
      clock.advance(60_000);
      expect(await short.run({ key: 'ttl' }, () => 2)).toEqual({ value: 2, replayed: false });
      for (const bad of ['', 'x'.repeat(256), 'tab\there', 'é'])
        expect(await codeOf(idem.run({ key: bad }, () => 0))).toBe('InvalidParameterValue');
    });
  });
}

suite('sqlite', (clock) => openSqliteStore(tempDbPath(), { clock }));
describePg('idempotency core on PostgreSQL', () => {
  suite('postgres', (clock) =>
    openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }),
  );
});
describeRedis('idempotency core on Redis', () => {
  suite('redis', async (clock) => {
    const r = await openRedisIdempotencyStore(REDIS_URL, { clock, prefix: freshPrefix() });
    return { idempotency: r, close: () => r.close() };
  });
});

describe('idempotency from a store URL', () => {
  it('opens sqlite: and redis:// URLs on first use and closes what it opened', async () => {
    for (const url of [`sqlite:${tempDbPath()}`, REDIS_URL]) {
      const idem = createIdempotency({ store: url });
      const key = `url-${Date.now()}-${Math.random()}`;
      expect(await idem.run({ key }, () => 'v')).toEqual({ value: 'v', replayed: false });
      expect(await idem.run({ key }, () => 'w')).toEqual({ value: 'v', replayed: true });
      await idem.close();
    }
    const bad = createIdempotency({ store: 'mysql://nope' });
    expect(await codeOf(bad.run({ key: 'k' }, () => 1))).toBe('InvalidStoreUrl');
  });
});
