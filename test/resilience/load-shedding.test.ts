/** The load-shedding core: the concurrency counter, option validation, which requests are exempt. */
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyLimiter,
  DEFAULT_EXEMPT_PATHS,
  pathOf,
  resolveLoadShedding,
} from '../../src/resilience/load-shedding.js';
import { codeOf } from '../helpers/errors.js';

const req = (path: string, method = 'GET') => ({ method, path });
const codeThrown = (fn: () => unknown): Promise<string> => codeOf(Promise.resolve().then(fn));

describe('ConcurrencyLimiter', () => {
  it('admits up to maxConcurrent at once and refuses the rest at once, counting both', () => {
    const limiter = new ConcurrencyLimiter(2);
    expect([limiter.tryEnter(), limiter.tryEnter(), limiter.tryEnter()]).toEqual([
      true,
      true,
      false,
    ]);
    expect({ inFlight: limiter.inFlight, admitted: limiter.admitted, shed: limiter.shed }).toEqual({
      inFlight: 2,
      admitted: 2,
      shed: 1,
    });
    limiter.leave();
    expect(limiter.tryEnter()).toBe(true);
    expect({ inFlight: limiter.inFlight, admitted: limiter.admitted, shed: limiter.shed }).toEqual({
      inFlight: 2,
      admitted: 3,
      shed: 1,
    });
  });

  it('never counts below zero: a leave without an enter is ignored', () => {
    const limiter = new ConcurrencyLimiter(1);
    limiter.leave();
    expect(limiter.inFlight).toBe(0);
    expect(limiter.tryEnter()).toBe(true);
    expect(limiter.tryEnter()).toBe(false);
  });
});

describe('options are validated at construction', () => {
  it('maxConcurrent is an integer from 1 to 1,000,000', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 1_000_001]) {
      expect(await codeThrown(() => new ConcurrencyLimiter(bad))).toBe('InvalidParameterValue');
      expect(await codeThrown(() => resolveLoadShedding({ maxConcurrent: bad }))).toBe(
        'InvalidParameterValue',
      );
    }
    expect(new ConcurrencyLimiter(1_000_000).maxConcurrent).toBe(1_000_000);
  });

  it('retryAfterSeconds is an integer from 0 to 86,400, 1 by default, sent as Retry-After', async () => {
    for (const bad of [-1, 0.5, 86_401, Number.POSITIVE_INFINITY]) {
      expect(
        await codeThrown(() => resolveLoadShedding({ maxConcurrent: 1, retryAfterSeconds: bad })),
      ).toBe('InvalidParameterValue');
    }
    expect(resolveLoadShedding({ maxConcurrent: 1 }).refusal.headers['retry-after']).toBe('1');
    expect(
      resolveLoadShedding({ maxConcurrent: 1, retryAfterSeconds: 0 }).refusal.headers[
        'retry-after'
      ],
    ).toBe('0');
    const { refusal } = resolveLoadShedding({ maxConcurrent: 1, retryAfterSeconds: 86_400 });
    expect(refusal.status).toBe(503);
    expect(refusal.headers).toEqual({
      'content-type': 'application/problem+json',
      'retry-after': '86400',
    });
    expect(JSON.parse(refusal.body)).toMatchObject({ status: 503, title: 'Server overloaded' });
  });
});

describe('health checks are exempt by default', () => {
  const { isExempt } = resolveLoadShedding({ maxConcurrent: 1 });

  it('exempts /healthz, /livez, /readyz and everything under /v1/health/', () => {
    expect(DEFAULT_EXEMPT_PATHS).toEqual(['/healthz', '/livez', '/readyz', '/v1/health/']);
    for (const path of [
      '/healthz',
      '/livez',
      '/readyz',
      '/v1/health/snapshot',
      '/v1/health/endpoints/a',
    ])
      expect(isExempt(req(path))).toBe(true);
    for (const path of ['/', '/healthzz', '/v1/health', '/v1/healthy/x', '/queues/healthz'])
      expect(isExempt(req(path))).toBe(false);
  });

  it('never exempts a path with a dot segment, which could route elsewhere once normalised', () => {
    expect(isExempt(req('/v1/health/../../orders'))).toBe(false);
  });

  it('takes a list of paths or a predicate instead', () => {
    const listed = resolveLoadShedding({
      maxConcurrent: 1,
      exempt: ['/ping', '/status/'],
    }).isExempt;
    expect([listed(req('/ping')), listed(req('/status/db')), listed(req('/healthz'))]).toEqual([
      true,
      true,
      false,
    ]);
    const byMethod = resolveLoadShedding({
      maxConcurrent: 1,
      exempt: (r) => r.method === 'OPTIONS',
    }).isExempt;
    expect([byMethod(req('/x', 'OPTIONS')), byMethod(req('/healthz'))]).toEqual([true, false]);
  });

  it('matches the path without its query string', () => {
    expect(pathOf('/healthz?verbose=1')).toBe('/healthz');
    expect(pathOf('/a/b')).toBe('/a/b');
    expect(pathOf(undefined)).toBe('/');
  });
});
