/**
 * The idempotency half of the store contract suite: every driver runs it.
 * Time is a FakeClock injected into the driver; nothing here sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/store/idempotency-contract.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

/** Opens a fresh, empty idempotency store whose time comes from `clock`; `close` releases it. */
export type IdemStoreFactory = (clock: FakeClock) => Promise<{ idempotency: IdempotencyStore; close(): Promise<void> }>;

const LEASE = 10_000;
const TTL = 86_400_000;

/** Registers the idempotency contract suite for one driver. */
export function idempotencyContract(driverName: string, open: IdemStoreFactory): void {
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
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({ kind: 'acquired', fence: 1, tookOver: false });
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({ kind: 'inProgress', leaseUntil: clock.now() + LEASE });
      expect(await idem().get('k')).toMatchObject({ status: 'in_progress', fence: 1, fingerprint: 'fp' });
      clock.advance(5);
      expect(await idem().complete('k', 1, '{"ok":true}', false, TTL)).toBe(true);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toEqual({ kind: 'completed', outcome: '{"ok":true}', isError: false, completedAt: clock.now() });
    });

    it('a different fingerprint on a live key is a mismatch, in progress or completed', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      expect(await idem().begin('k', 'other', LEASE, TTL)).toEqual({ kind: 'mismatch' });
      await idem().complete('k', 1, '"x"', true, TTL);
      expect(await idem().begin('k', 'other', LEASE, TTL)).toEqual({ kind: 'mismatch' });
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({ kind: 'completed', isError: true, outcome: '"x"' });
    });

    it('after the lease ends exactly one caller takes over, and the stale holder can no longer complete or release', async () => {
      await idem().begin('k', 'fp', LEASE, TTL);
      clock.advance(LEASE);
      const results = await Promise.all([1, 2, 3, 4].map(() => idem().begin('k', 'fp', LEASE, TTL)));
      expect(results.filter((r) => r.kind === 'acquired')).toEqual([{ kind: 'acquired', fence: 2, tookOver: true }]);
      expect(results.filter((r) => r.kind === 'inProgress')).toHaveLength(3);
      expect(await idem().complete('k', 1, '"stale"', false, TTL)).toBe(false);
      expect(await idem().release('k', 1)).toBe(false);
      expect(await idem().extend('k', 1, LEASE)).toBe(false);
      expect(await idem().complete('k', 2, '"fresh"', false, TTL)).toBe(true);
      expect(await idem().begin('k', 'fp', LEASE, TTL)).toMatchObject({ kind: 'completed', outcome: '"fresh"' });
    });

    it('concurrent first begins: exactly one acquires', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => idem().begin('race', 'fp', LEASE, TTL)));
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
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
      expect(await idem().begin('old', 'new-fp', LEASE, TTL)).toMatchObject({ kind: 'acquired', tookOver: false });
      await idem().begin('gone', 'fp', LEASE, 10);
      clock.advance(10);
      expect(await idem().removeExpired(100)).toBe(1);
      expect(await idem().get('young')).toBeDefined();
    });
  });
}
