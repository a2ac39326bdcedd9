/** Which errors are retried, and the resolved backoff of each kind (pure functions of a seeded random source). */
import { describe, expect, it } from 'vitest';
import { BallastError } from '../../src/core/errors.js';
import { isRetryable, resolveRetry } from '../../src/resilience/retry-policy.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

describe('isRetryable', () => {
  it.each([
    ['a network error', new Error('ECONNRESET'), true],
    ['a 503', { status: 503 }, true],
    ['a 500 (statusCode)', { statusCode: 500 }, true],
    ['a 400', { status: 400 }, false],
    ['a 404 (statusCode)', { statusCode: 404 }, false],
    ['a 408', { status: 408 }, true],
    ['a 429', { status: 429 }, true],
    ['retryable: false on a 503', { status: 503, retryable: false }, false],
    ['retryable: true on a 400', { status: 400, retryable: true }, true],
    ['a Ballast 4xx', new BallastError('InvalidParameterValue', 'x'), false],
    ['a Ballast 503', new BallastError('StoreUnavailable', 'x'), true],
    ['a thrown string', 'boom', true],
  ])('%s → %s', (_what, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('resolveRetry', () => {
  const clock = new FakeClock();
  const policy = (
    backoff: 'full-jitter' | 'equal-jitter' | 'decorrelated-jitter' | 'exponential' | 'none',
    random = () => 0.5,
  ) => resolveRetry('t', true, { backoff, baseMs: 100, capMs: 1_000 }, clock, random);

  it('computes each backoff kind in ms, capped', () => {
    expect([1, 2, 3, 4, 5].map((n) => policy('exponential').delayMs(n, 0))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect([1, 2, 5].map((n) => policy('full-jitter').delayMs(n, 0))).toEqual([50, 100, 500]);
    expect([1, 2, 5].map((n) => Math.round(policy('equal-jitter').delayMs(n, 0)))).toEqual([
      75, 150, 750,
    ]);
    expect(policy('decorrelated-jitter', () => 1).delayMs(1, 0)).toBeCloseTo(300); // up to 3 × base
    expect(policy('decorrelated-jitter', () => 1).delayMs(2, 300)).toBeCloseTo(900);
    expect(policy('decorrelated-jitter', () => 1).delayMs(3, 900)).toBeCloseTo(1_000); // capped
    expect(policy('none').delayMs(3, 0)).toBe(0);
  });

  it('a single attempt needs no budget; retries get the token bucket by default', () => {
    expect(resolveRetry('t', false, undefined, clock, Math.random)).toMatchObject({
      maxAttempts: 1,
      budget: undefined,
    });
    const r = resolveRetry('t', true, undefined, clock, Math.random);
    expect(r.maxAttempts).toBe(3);
    expect(r.budget?.constructor.name).toBe('TokenBucketBudget');
    expect(
      resolveRetry('t', true, { budget: 'ratio' }, clock, Math.random).budget?.constructor.name,
    ).toBe('RatioBudget');
  });
});
