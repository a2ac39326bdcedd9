/**
 * Edges of hard-real-time calls found in review: listeners on a long-lived parent deadline, a timer
 * that fires a millisecond early, caller aborts before work starts or while queued, breaker trial
 * places after a throwing balancer or retryOn, late trials of an earlier half-open period, and
 * declarations and middleware options that must fail when made.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { CircuitBreaker } from '../../src/resilience/breaker.js';
import { Deadline } from '../../src/resilience/deadline.js';
import {
  deadlineMiddleware,
  honoDeadline,
  withDeadline,
} from '../../src/resilience/http/deadline-http.js';
import { fastifyDeadline } from '../../src/resilience/http/deadline-fastify.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { codeOf } from '../helpers/errors.js';

const settle = () => new Promise((r) => setImmediate(r));
const never = () => new Promise<never>(() => undefined);
const down = () => Promise.reject(Object.assign(new Error('503'), { status: 503 }));

describe('hard-real-time edges', () => {
  it('calls inside one long-lived deadline leave no listeners on it', async () => {
    const outer = Deadline.after(60_000);
    const i = defineInteraction({
      name: 'many',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      breaker: false,
    });
    await withDeadline(outer, async () => {
      for (let k = 0; k < 50; k++) await i.call(() => k);
    });
    expect(getEventListeners(outer.signal, 'abort').length).toBe(0);
    outer.dispose();
  });

  it('a deadline timer that fires before the clock reaches the deadline is still the deadline, not an attempt timeout', async () => {
    // A clock whose timers fire 1 ms early, as setTimeout may against Date.now().
    const fake = new FakeClock();
    const early: Clock = {
      now: () => fake.now(),
      sleep: (ms, signal) => fake.sleep(Math.max(0, ms - 1), signal),
    };
    const i = defineInteraction({
      name: 'early',
      kind: 'hard-real-time',
      deadlineMs: 50,
      idempotent: true,
      retry: { backoff: 'none' },
      clock: early,
      breaker: false,
    });
    let calls = 0;
    const code = codeOf(i.call(() => (calls++, never())));
    await settle();
    fake.advance(49);
    await settle();
    expect(await code).toBe('DeadlineExceeded');
    expect(calls).toBe(1);
    expect(i.stats()).toMatchObject({
      attempts: 1,
      attemptTimeouts: 0,
      retries: 0,
      deadlineExceeded: 1,
    });
  });

  it('a caller signal already aborted never starts the work', async () => {
    const i = defineInteraction({
      name: 'pre',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      breaker: false,
    });
    let called = false;
    await expect(
      i.call(() => (called = true), { signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    expect(called).toBe(false);
  });

  it('a caller abort ends a call waiting for a bulkhead place at once, without running it', async () => {
    const i = defineInteraction({
      name: 'queued',
      kind: 'hard-real-time',
      deadlineMs: 10_000,
      bulkhead: { concurrency: 1, queue: 5 },
      breaker: false,
    });
    let release!: () => void;
    const first = i.call(() => new Promise<void>((r) => (release = r)));
    const abort = new AbortController();
    let ran = false;
    const second = i.call(() => (ran = true), { signal: abort.signal });
    await settle();
    abort.abort(new Error('client left'));
    await expect(second).rejects.toThrow('client left');
    release();
    await first;
    expect(ran).toBe(false);
  });

  it('a balancer or retryOn that throws does not keep a half-open trial place', async () => {
    const clock = new FakeClock();
    let throwing = true;
    const balancer = {
      acquire: () =>
        throwing
          ? ((): never => {
              throw new Error('no endpoints');
            })()
          : { id: 'a', release: () => undefined },
    };
    const i = defineInteraction({
      name: 'trial',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      balancer,
      clock,
      breaker: { trigger: { kind: 'consecutive', failures: 1 }, openMs: 100 },
    });
    await expect(i.call(() => 'x')).rejects.toThrow('no endpoints'); // opens it
    clock.advance(100);
    await expect(i.call(() => 'x')).rejects.toThrow('no endpoints'); // the trial fails: open again
    clock.advance(100);
    throwing = false;
    expect(await i.call(() => 'back')).toBe('back');

    const breaker = new CircuitBreaker({
      trigger: { kind: 'consecutive', failures: 1 },
      openMs: 100,
      clock,
    });
    breaker.acquire().failure();
    clock.advance(100);
    const j = defineInteraction({
      name: 'trial2',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      clock,
      retry: {
        retryOn: () => {
          throw new TypeError('bad retryOn');
        },
      },
      breaker,
    });
    await expect(j.call(down)).rejects.toThrow('bad retryOn'); // the trial ends without a verdict…
    expect(breaker.state).toBe('half-open');
    expect(await j.call(() => 'ok')).toBe('ok'); // …and its place is free for the next trial
    expect(breaker.state).toBe('closed');
  });

  it('leaves no listener on a long-lived caller signal when attempts time out', async () => {
    const shutdown = new AbortController();
    const i = defineInteraction({
      name: 'hung',
      kind: 'hard-real-time',
      deadlineMs: 5,
      breaker: false,
    });
    for (let k = 0; k < 30; k++)
      await expect(i.call(() => never(), { signal: shutdown.signal })).rejects.toThrow();
    expect(getEventListeners(shutdown.signal, 'abort').length).toBe(0);
  });

  it('work that finished late on its own keeps its answer: a value is returned, a 400 is not called a timeout', async () => {
    const i = defineInteraction({
      name: 'late',
      kind: 'hard-real-time',
      deadlineMs: 50,
      attemptTimeoutMs: 5,
      idempotent: true,
      breaker: false,
      retry: { backoff: 'none' },
    });
    const busy = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // synchronous work past the attempt's deadline
      }
    };
    expect(await i.call(() => (busy(10), 'value'))).toBe('value');
    const error = await i
      .call(
        () => (
          busy(10),
          Promise.reject(Object.assign(new Error('400 bad request'), { status: 400 }))
        ),
      )
      .catch((e: unknown) => e as Error);
    expect(error.message).toBe('400 bad request');
    expect(i.stats()).toMatchObject({ attemptTimeouts: 0, retries: 0 });
  });

  it('a caller abort during the synchronous part of the work ends the call at once', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'sync-abort',
      kind: 'hard-real-time',
      deadlineMs: 10_000,
      clock,
      breaker: false,
    });
    const abort = new AbortController();
    await expect(
      i.call(() => (abort.abort(new Error('caller gave up')), never()), { signal: abort.signal }),
    ).rejects.toThrow('caller gave up');
  });

  it('a late trial of an earlier half-open period does not free a place in the next one', () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({
      trigger: { kind: 'consecutive', failures: 1 },
      openMs: 100,
      halfOpenCalls: 2,
      clock,
    });
    b.acquire().failure();
    clock.advance(100);
    const late = b.acquire(); // trial 1 of period 1
    b.acquire().failure(); // trial 2 fails: open again
    clock.advance(100);
    b.acquire();
    b.acquire(); // period 2: both places taken
    late.success(); // the late one ends
    expect(() => b.acquire()).toThrow(/circuit is open/);
    expect(b.state).toBe('half-open');
  });
});

describe('declarations and options that must fail when made', () => {
  const hard = { name: 'x', kind: 'hard-real-time' as const, deadlineMs: 100 };
  const cases: [string, unknown, RegExp][] = [
    [
      'a backoff named after an Object prototype key',
      { ...hard, idempotent: true, retry: { backoff: '__proto__' } },
      /retry.backoff must be one of/,
    ],
    [
      'a BigInt deadline',
      { ...hard, deadlineMs: 10n },
      /deadlineMs must be a whole number .* \(got 10n\)/,
    ],
    ['Infinity', { ...hard, deadlineMs: Infinity }, /\(got Infinity\)/],
    [
      'a string where a number belongs',
      { ...hard, idempotent: true, retry: { baseMs: '25' } },
      /retry.baseMs must be a number .* \(got "25"\)/,
    ],
    [
      'a prototype-less object as a number',
      { ...hard, idempotent: true, retry: { maxAttempts: Object.create(null) as unknown } },
      /retry.maxAttempts must be an integer/,
    ],
    [
      'an unknown breaker trigger',
      { ...hard, breaker: { trigger: { kind: 'bogus' } } },
      /breaker.trigger must be/,
    ],
    [
      'a breaker that is not an object',
      { ...hard, breaker: 'yes' },
      /breaker must be an options object/,
    ],
    [
      'an unknown breaker option',
      { ...hard, breaker: { openMS: 5 } },
      /unknown option breaker.openMS/,
    ],
    [
      'a bad breaker number',
      { ...hard, breaker: { trigger: { kind: 'consecutive', failures: 0 } } },
      /breaker.trigger.failures must be an integer/,
    ],
    [
      'an unknown trigger option',
      { ...hard, breaker: { trigger: { kind: 'consecutive', failures: 3, windowMs: 5 } } },
      /breaker.trigger has no option windowMs/,
    ],
    ['a null bulkhead', { ...hard, bulkhead: null }, /bulkhead must be an options object/],
    [
      'an unknown bulkhead option',
      { ...hard, bulkhead: { concurrency: 1, queu: 3 } },
      /unknown option bulkhead.queu/,
    ],
    [
      'a bad bulkhead number',
      { ...hard, bulkhead: { concurrency: Object.create(null) as unknown } },
      /bulkhead.concurrency must be an integer/,
    ],
    ['a clock without sleep', { ...hard, clock: {} }, /clock must have now\(\) and sleep/],
    ['a random that is not a function', { ...hard, random: 5 }, /random must be a function/],
    ['a BigInt name', { ...hard, name: 1n }, /needs a name .* \(got 1n\)/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}, with InvalidParameterValue`, () => {
      let caught: unknown;
      try {
        defineInteraction(options as never);
      } catch (error) {
        caught = error;
      }
      expect((caught as { code?: string }).code).toBe('InvalidParameterValue');
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('an option given as undefined keeps its default', () => {
    const i = defineInteraction({ ...hard, breaker: { openMs: undefined } });
    expect(i.breaker).toBeDefined();
  });

  it('deadline middleware refuses bad options when made, not on every request', () => {
    for (const make of [deadlineMiddleware, honoDeadline, fastifyDeadline] as ((
      o: object,
    ) => unknown)[]) {
      expect(() => make({ defaultMs: -1 })).toThrow(/defaultMs must be a whole number/);
      expect(() => make({ maxMs: Number.NaN })).toThrow(/maxMs must be a whole number/);
      expect(() => make({ defaultMs: '2000' })).toThrow(/got string/);
    }
  });
});
