/** Hard-real-time interactions under a fake clock: deadlines, attempt timeouts, retries, budget, breaker, bulkhead, fallback, balancer. */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../src/health/balancer.js';
import { currentDeadline, withDeadline } from '../../src/resilience/http/deadline-http.js';
import { Deadline } from '../../src/resilience/deadline.js';
import { TokenBucketBudget } from '../../src/resilience/budget.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { codeOf } from '../helpers/errors.js';

/** Lets pending promise callbacks and timers of the code under test run. */
const settle = () => new Promise((r) => setImmediate(r));
const never = () => new Promise<never>(() => undefined);
const down = () =>
  Promise.reject(Object.assign(new Error('503 from the dependency'), { status: 503 }));

/** Advances the fake clock in steps, letting the code under test react between them. */
async function run(clock: FakeClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

describe('defineInteraction: hard-real-time', () => {
  it('enforces the deadline on work that ignores its signal, and aborts the signal it gave', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'slow',
      kind: 'hard-real-time',
      deadlineMs: 200,
      clock,
      breaker: false,
    });
    let seen: AbortSignal | undefined;
    const call = i.call(({ signal }) => ((seen = signal), never()));
    const code = codeOf(call);
    await settle();
    await run(clock, 200);
    expect(await code).toBe('DeadlineExceeded');
    expect(seen?.aborted).toBe(true);
    expect(i.stats()).toMatchObject({ calls: 1, failed: 1, attempts: 1, deadlineExceeded: 1 });
  });

  it('gives each attempt its own timeout inside what is left of the deadline', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'a',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      attemptTimeoutMs: 300,
      idempotent: true,
      retry: { maxAttempts: 4, backoff: 'none' },
      clock,
      breaker: false,
    });
    const budgets: number[] = [];
    const code = codeOf(i.call(({ deadline }) => (budgets.push(deadline.remaining()), never())));
    await settle();
    await run(clock, 1_000);
    expect(budgets).toEqual([300, 300, 300, 100]);
    expect(await code).toBe('DeadlineExceeded');
    expect(i.stats()).toMatchObject({
      attempts: 4,
      retries: 3,
      attemptTimeouts: 3,
      deadlineExceeded: 1,
    });
  });

  it('retries a failing idempotent call with backoff and succeeds', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'b',
      kind: 'hard-real-time',
      deadlineMs: 5_000,
      idempotent: true,
      retry: { backoff: 'exponential', baseMs: 100 },
      clock,
      breaker: false,
    });
    const at: number[] = [];
    const start = clock.now();
    const call = i.call(() => (at.push(clock.now() - start), at.length < 3 ? down() : 'ok'));
    await settle();
    await run(clock, 400);
    expect(await call).toBe('ok');
    expect(at).toEqual([0, 100, 300]); // waits of 100 then 200 ms
  });

  it('never retries an interaction that is not declared idempotent', async () => {
    const i = defineInteraction({
      name: 'c',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      breaker: false,
    });
    let calls = 0;
    await expect(i.call(() => (calls++, down()))).rejects.toThrow('503');
    expect(calls).toBe(1);
  });

  it('does not retry errors that say the request was wrong (4xx), and the breaker counts them as answers', async () => {
    const i = defineInteraction({
      name: 'd',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      breaker: { trigger: { kind: 'consecutive', failures: 2 } },
    });
    let calls = 0;
    const bad = () => (calls++, Promise.reject(Object.assign(new Error('400'), { status: 400 })));
    for (let k = 0; k < 3; k++) await expect(i.call(bad)).rejects.toThrow('400');
    expect(calls).toBe(3);
    expect(i.breaker?.state).toBe('closed');
  });

  it('skips a retry whose wait would not end before the deadline', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'e',
      kind: 'hard-real-time',
      deadlineMs: 500,
      idempotent: true,
      retry: { backoff: 'exponential', baseMs: 400 },
      clock,
      breaker: false,
    });
    let calls = 0;
    const code = codeOf(i.call(() => (calls++, down())));
    await settle();
    await run(clock, 500);
    expect(await code).toBe('not a BallastError: Error: 503 from the dependency');
    expect(calls).toBe(2); // t=0, t=400; the next wait (800 ms) would pass the deadline
  });

  it('shares one retry budget across calls: retries stop when it is spent, first attempts never do', async () => {
    const budget = new TokenBucketBudget({ capacity: 10, retryCost: 5 });
    const i = defineInteraction({
      name: 'f',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { budget, backoff: 'none' },
      breaker: false,
    });
    let calls = 0;
    for (let k = 0; k < 5; k++) await expect(i.call(() => (calls++, down()))).rejects.toThrow();
    expect(calls).toBe(5 + 2); // two retries paid for, then first attempts only
    expect(i.stats()).toMatchObject({ retries: 2, retriesRefused: 4 });
    expect(budget.tokens).toBe(0);
  });

  it('opens its breaker when half of 20+ recent calls failed: calls fail fast without calling, one trial after openMs', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({ name: 'g', kind: 'hard-real-time', deadlineMs: 1_000, clock });
    let calls = 0;
    // Runs of failures among successes (60 % succeed) do not open it: the default is a failure share, not a streak.
    for (let k = 0; k < 50; k++)
      await i.call(() => (calls++, k % 5 < 3 ? 'ok' : down())).catch(() => undefined);
    expect(i.breaker?.state).toBe('closed');
    clock.advance(10_000); // the window forgets them
    calls = 0;
    for (let k = 0; k < 20; k++)
      await expect(i.call(() => (calls++, down()))).rejects.toThrow('503');
    expect(await codeOf(i.call(() => (calls++, 'x')))).toBe('CircuitOpen');
    expect(calls).toBe(20);
    clock.advance(499); // the interaction default: open for 0.5 s
    expect(await codeOf(i.call(() => (calls++, 'x')))).toBe('CircuitOpen');
    clock.advance(1);
    expect(await i.call(() => (calls++, 'back'))).toBe('back');
    expect(i.breaker?.state).toBe('closed');
    expect(i.stats().shortCircuited).toBe(2);
  });

  it('stops retrying when the breaker opens mid-call, and says why; only first attempts vote', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'h',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { maxAttempts: 5, backoff: 'exponential', baseMs: 100 },
      breaker: { trigger: { kind: 'consecutive', failures: 2 } },
      clock,
    });
    let calls = 0;
    const a = i
      .call(() => (calls++, down()))
      .catch((e: unknown) => e as Error & { code: string; cause: unknown });
    await settle();
    expect(i.breaker?.state).toBe('closed'); // one vote so far: A's first attempt
    const b = i
      .call(() => (calls++, down()))
      .catch((e: unknown) => e as Error & { code: string; cause: unknown });
    await settle();
    expect(i.breaker?.state).toBe('open'); // B's first attempt is the second vote
    await run(clock, 200);
    const [ea, eb] = await Promise.all([a, b]);
    expect(calls).toBe(2); // the retries were refused
    for (const e of [ea, eb]) {
      expect(e.code).toBe('CircuitOpen');
      expect(String(e.cause)).toContain('503');
    }
  });

  it('retries do not vote: one call retrying against a failing dependency does not open the breaker by itself', async () => {
    const i = defineInteraction({
      name: 'h2',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { maxAttempts: 5, backoff: 'none' },
      breaker: { trigger: { kind: 'consecutive', failures: 2 } },
    });
    let calls = 0;
    await expect(i.call(() => (calls++, down()))).rejects.toThrow('503');
    expect(calls).toBe(5);
    expect(i.breaker?.state).toBe('closed');
  });

  it('answers with the fallback when the call fails, not when the caller gives up', async () => {
    const i = defineInteraction({
      name: 'i',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      breaker: false,
      fallback: (e) => `cached (${(e as Error).message})`,
    });
    expect(await i.call(down)).toBe('cached (503 from the dependency)');
    const abort = new AbortController();
    const call = i.call(() => never(), { signal: abort.signal });
    abort.abort(new Error('client left'));
    await expect(call).rejects.toThrow('client left');
    expect(i.stats().fallbacks).toBe(1);
  });

  it('a caller abort stops at once with no retry and frees a half-open trial place', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'j',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { backoff: 'none' },
      clock,
      breaker: { trigger: { kind: 'consecutive', failures: 1 } },
    });
    expect(await codeOf(i.call(() => Promise.reject(new Error('x'))))).toBe('CircuitOpen'); // opened by the first failure
    clock.advance(1_000);
    let calls = 0;
    const abort = new AbortController();
    const call = i.call(() => (calls++, never()), { signal: abort.signal });
    await settle();
    abort.abort(new Error('gone'));
    await expect(call).rejects.toThrow('gone');
    expect(calls).toBe(1);
    expect(await i.call(() => 'trial')).toBe('trial'); // the trial place was given back
  });

  it('limits calls in flight with a bulkhead, refusing early', async () => {
    const i = defineInteraction({
      name: 'k',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      bulkhead: { concurrency: 1 },
      breaker: false,
    });
    let release!: () => void;
    const first = i.call(() => new Promise<string>((r) => (release = () => r('first'))));
    await settle();
    let ran = false;
    expect(await codeOf(i.call(() => ((ran = true), 'second')))).toBe('LimitExceededException');
    expect(ran).toBe(false);
    release();
    expect(await first).toBe('first');
    expect(i.stats().bulkheadRejected).toBe(1);
  });

  it("picks each attempt's endpoint through the load balancer and releases it", async () => {
    const health = {
      state: (id: string) => (id === 'b' ? ('unhealthy' as const) : ('healthy' as const)),
    };
    const balancer = new LoadBalancer({ endpoints: ['a', 'b', 'c'], health, panicThreshold: 0.3 });
    const i = defineInteraction({
      name: 'l',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { backoff: 'none' },
      balancer,
      breaker: false,
    });
    const used: string[] = [];
    for (let k = 0; k < 20; k++)
      await i.call(({ endpoint, attempt }) => (used.push(endpoint!), attempt < 2 ? down() : 'ok'));
    expect(new Set(used)).toEqual(new Set(['a', 'c']));
    expect(used).toHaveLength(40);
    expect(balancer.outstanding()).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('stays inside the deadline of the request it serves, and makes it current for calls made inside', async () => {
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'm',
      kind: 'hard-real-time',
      deadlineMs: 10_000,
      clock,
      breaker: false,
    });
    const outer = Deadline.after(150, clock);
    const seen = await withDeadline(outer, () =>
      i.call(({ deadline }) => ({
        remaining: deadline.remaining(),
        current: currentDeadline() === deadline,
      })),
    );
    expect(seen).toEqual({ remaining: 150, current: true });
    clock.advance(150);
    let called = false;
    expect(await codeOf(withDeadline(outer, () => i.call(() => (called = true))))).toBe(
      'DeadlineExceeded',
    );
    expect(called).toBe(false);
  });
});

describe('defineInteraction: declarations are checked when made', () => {
  const hard = { name: 'x', kind: 'hard-real-time' as const, deadlineMs: 100 };
  const cases: [string, unknown, RegExp][] = [
    ['no kind', { name: 'x' }, /kind must be 'hard-real-time'.*or 'soft-real-time'/],
    [
      'no deadline',
      { name: 'x', kind: 'hard-real-time' },
      /needs deadlineMs.*no call may wait forever/,
    ],
    ['negative deadline', { ...hard, deadlineMs: -5 }, /deadlineMs must be a whole number from 1/],
    [
      'absurd deadline',
      { ...hard, deadlineMs: 1e12 },
      /deadlineMs must be a whole number from 1 to 86,400,000/,
    ],
    [
      'attempt timeout over the deadline',
      { ...hard, attemptTimeoutMs: 200 },
      /attemptTimeoutMs must be a whole number from 1 to 100/,
    ],
    [
      'retries without idempotency',
      { ...hard, retry: { maxAttempts: 3 } },
      /not declared idempotent/,
    ],
    [
      'too many attempts',
      { ...hard, idempotent: true, retry: { maxAttempts: 50 } },
      /maxAttempts must be an integer from 1 to 10/,
    ],
    [
      'cap below base',
      { ...hard, idempotent: true, retry: { baseMs: 500, capMs: 100 } },
      /capMs must be a number from retry.baseMs/,
    ],
    [
      'unknown backoff',
      { ...hard, idempotent: true, retry: { backoff: 'linear' } },
      /retry.backoff must be one of/,
    ],
    ['unknown retry option', { ...hard, retry: { attempts: 3 } }, /unknown option retry.attempts/],
    [
      'a soft option on a hard interaction',
      { ...hard, maxAgeMs: 1000 },
      /unknown option maxAgeMs \(it is an option of soft-real-time interactions\)/,
    ],
    ['a bad name', { ...hard, name: 'has space' }, /needs a name/],
    [
      'soft without maxAgeMs',
      {
        name: 's',
        kind: 'soft-real-time',
        ballast: { queues: {}, store: { idempotency: {} }, clock: {} },
      },
      /needs maxAgeMs/,
    ],
    [
      'soft without ballast',
      { name: 's', kind: 'soft-real-time', maxAgeMs: 5000 },
      /needs ballast/,
    ],
    [
      'a hard option on a soft interaction',
      { name: 's', kind: 'soft-real-time', deadlineMs: 5 },
      /it is an option of hard-real-time interactions/,
    ],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => defineInteraction(options as never)).toThrow(message);
    });
  }

  it('defaults: three attempts only when idempotent', () => {
    expect(() => defineInteraction({ ...hard })).not.toThrow();
    expect(() => defineInteraction({ ...hard, idempotent: true })).not.toThrow();
  });
});
