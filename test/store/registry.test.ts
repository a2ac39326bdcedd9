/**
 * The driver registry: URL schemes pick a driver, a driver offers only the feature stores it
 * declares, and asking for more fails with a typed error naming the driver and the feature.
 */
import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { requireFeatures } from '../../src/store/contract.js';
import { openStore } from '../../src/store/open.js';
import { driverFor, openStoreWith, STORE_DRIVERS } from '../../src/store/registry.js';
import { codeOf } from '../helpers/errors.js';
import { describeRedis, REDIS_URL } from '../helpers/redis.js';

describe('the driver registry', () => {
  it('maps every scheme to its driver', () => {
    expect(driverFor('sqlite::memory:').name).toBe('sqlite');
    expect(driverFor('postgres://h/db').name).toBe('postgres');
    expect(driverFor('postgresql://h/db').name).toBe('postgres');
    expect(driverFor('redis://h:6379').name).toBe('redis');
    expect(driverFor('rediss://h:6379').name).toBe('redis');
  });

  it('refuses an unknown scheme with InvalidStoreUrl', () => {
    expect(() => driverFor('mysql://h/db')).toThrow(
      expect.objectContaining({ code: 'InvalidStoreUrl' }),
    );
  });

  it('Redis offers the idempotency feature only', () => {
    expect(STORE_DRIVERS.find((d) => d.name === 'redis')?.features).toEqual(['idempotency']);
  });

  it('opening redis:// as a Ballast store fails with UnsupportedOperation naming the driver and the features, before connecting', async () => {
    // Nothing listens on port 1: the refusal comes from the registry, not from a connection error.
    const error = await openStore('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(isBallastError(error) && error.code).toBe('UnsupportedOperation');
    expect((error as Error).message).toMatch(/redis store does not offer queues, bus/);
  });

  it('a store with the features asked for opens and says which it offers; await using closes it', async () => {
    let kept: { queues: { listQueueIds(): Promise<number[]> } } | undefined;
    {
      await using store = await openStoreWith('sqlite::memory:', ['queues', 'idempotency']);
      expect(store.features).toEqual(['queues', 'bus', 'idempotency']);
      expect(await store.queues.listQueueIds()).toEqual([]);
      kept = store;
    }
    expect(await codeOf(kept.queues.listQueueIds())).toBe('Closed');
  });

  it('requireFeatures throws UnsupportedOperation for a feature the store lacks', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const partial = { ...store, features: ['idempotency'] as const };
      expect(() => requireFeatures(partial, ['bus'])).toThrow(
        /sqlite store does not offer bus \(it offers idempotency\)/,
      );
      expect(requireFeatures(store, ['bus']).bus).toBe(store.bus);
    } finally {
      await store.close();
    }
  });
});

describeRedis('the Redis driver as a store', () => {
  it('opens for idempotency, with the store base (now, ping, probe, condition)', async () => {
    await using store = await openStoreWith(REDIS_URL, ['idempotency']);
    expect(store.kind).toBe('redis');
    expect(store.capabilities.synchronousTransactions).toBe(false);
    expect(typeof (await store.now())).toBe('number');
    await store.ping();
    await store.probeWrite();
    expect(store.condition().writable).toBe(true);
    expect(store.idempotency.completeInTransaction).toBeUndefined();
  });

  it('refuses to open for queues', async () => {
    expect(await codeOf(openStoreWith(REDIS_URL, ['queues']))).toBe('UnsupportedOperation');
  });
});
