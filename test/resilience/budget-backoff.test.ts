/**
 * Backoff variants (pure) and retry budgets under a fake clock: the AWS SDK token bucket and a
 * ratio budget that bounds downstream calls under 100 % failure.
 */
import { describe, expect, it } from 'vitest';
import {
  decorrelatedJitterSeconds,
  equalJitterSeconds,
  exponentialSeconds,
  fullJitterSeconds,
} from '../../src/core/backoff.js';
import { RatioBudget, TokenBucketBudget } from '../../src/resilience/budget.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { prng } from '../../src/testing/prng.js';

describe('backoff', () => {
  it('exponential is capped; full, equal and decorrelated jitter stay within their ranges', () => {
    const o = { baseSeconds: 0.1, maxSeconds: 5 };
    expect([1, 2, 3, 4, 10, 100].map((a) => exponentialSeconds(a, o))).toEqual([
      0.1, 0.2, 0.4, 0.8, 5, 5,
    ]);
    expect(fullJitterSeconds(3, o, () => 0.5)).toBeCloseTo(0.2);
    expect(equalJitterSeconds(3, o, () => 0)).toBeCloseTo(0.2);
    expect(equalJitterSeconds(3, o, () => 0.999999)).toBeCloseTo(0.4);
    const random = prng(42);
    let previous = o.baseSeconds;
    for (let i = 0; i < 1_000; i++) {
      const next = decorrelatedJitterSeconds(previous, o, random);
      expect(next).toBeGreaterThanOrEqual(o.baseSeconds);
      expect(next).toBeLessThanOrEqual(Math.min(o.maxSeconds, 3 * previous) + 1e-9);
      previous = next;
    }
  });
});

describe('TokenBucketBudget (the AWS SDK quota)', () => {
  it('500 tokens: 100 retries after errors, 50 after timeouts; a successful retry refunds; a first-try success adds 1', () => {
    const b = new TokenBucketBudget();
    let granted = 0;
    while (b.tryRetry('error')) granted++;
    expect(granted).toBe(100);
    expect(b.tokens).toBe(0);
    b.recordSuccess();
    expect(b.tokens).toBe(1);
    const t = new TokenBucketBudget();
    let timeouts = 0;
    while (t.tryRetry('timeout')) timeouts++;
    expect(timeouts).toBe(50);
    const r = new TokenBucketBudget();
    const grant = r.tryRetry('timeout')!;
    expect(r.tokens).toBe(490);
    r.recordSuccess(grant);
    expect(r.tokens).toBe(500);
    r.recordSuccess();
    expect(r.tokens).toBe(500); // capped
    expect(() => new TokenBucketBudget({ retryCost: -1 })).toThrow(/retryCost/);
  });
});

describe('RatioBudget', () => {
  it('under 100 % failure, retries stay within ratio × requests + the floor, per window', () => {
    const clock = new FakeClock();
    const b = new RatioBudget({ ratio: 0.2, minRetriesPerSecond: 1, ttlSeconds: 10, clock });
    let requests = 0;
    let retries = 0;
    // 100 requests a second for 30 s, each failing and asking for up to 3 retries.
    for (let s = 0; s < 30; s++) {
      for (let i = 0; i < 100; i++) {
        b.recordRequest();
        requests++;
        for (let attempt = 0; attempt < 3 && b.tryRetry(); attempt++) retries++;
      }
      clock.advance(1_000);
    }
    // Downstream calls = requests + retries ≤ 1.2 × requests + floor per window (3 windows).
    expect(requests + retries).toBeLessThanOrEqual(1.2 * requests + 3 * 10);
    expect(retries).toBeGreaterThan(0.15 * requests);
  });

  it('the floor lets a quiet client retry; old requests leave the window', () => {
    const clock = new FakeClock();
    const b = new RatioBudget({ ratio: 0, minRetriesPerSecond: 0.5, ttlSeconds: 4, clock });
    b.recordRequest();
    expect(b.tryRetry()).toBeDefined();
    expect(b.tryRetry()).toBeDefined();
    expect(b.tryRetry()).toBeUndefined(); // 0.5/s × 4 s = 2 in the window
    clock.advance(4_000);
    expect(b.tryRetry()).toBeDefined(); // the window moved on
    const r = new RatioBudget({ ratio: 0.5, minRetriesPerSecond: 0, ttlSeconds: 2, clock });
    for (let i = 0; i < 10; i++) r.recordRequest();
    let granted = 0;
    while (r.tryRetry()) granted++;
    expect(granted).toBe(5);
    clock.advance(2_000);
    expect(r.tryRetry()).toBeUndefined(); // the requests that paid for retries have expired
    expect(() => new RatioBudget({ ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
