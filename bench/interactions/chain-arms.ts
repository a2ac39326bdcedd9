/**
 * The worked example's two designs of one checkout chain — api → orders → payments → bank — as
 * arms: `fragile` as examples/doctor/fragile.json declares it (every layer retries 3×, timeouts
 * longer than the caller's deadline, nothing cancelled downstream), `fixed` as
 * examples/doctor/fixed.json does (one retry layer with a budget, deadlines that fit and travel
 * down, declared interactions at every hop). The hops run in one process: the point is how many
 * calls reach the bank, not the network between the hops.
 */
import { exponentialSeconds } from '../../src/core/backoff.js';
import { defineInteraction } from '../../src/interactions/index.js';
import { prng } from '../../src/testing/prng.js';
import type { Arm, Attempt } from './arms.js';

/** Rejects with a `TimeoutError` after `ms` — without stopping `work` (what a timeout that cancels nothing does). */
function giveUpAfter<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`gave up after ${ms} ms`), { name: 'TimeoutError' })),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Up to `attempts` tries, each given up after `timeoutMs` (0: never), waiting `delayMs(n)` after the n-th failure. */
async function naiveRetry<T>(
  attempts: number,
  timeoutMs: number,
  delayMs: (n: number) => number,
  once: () => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await (timeoutMs > 0 ? giveUpAfter(timeoutMs, once()) : once());
    } catch (error) {
      if (n >= attempts) throw error;
      const wait = delayMs(n);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}

const exponential100 = (n: number): number =>
  1000 * exponentialSeconds(n, { baseSeconds: 0.1, maxSeconds: 1 });

/** examples/doctor/fragile.json, hop by hop. */
export function fragileChainArm(): Arm {
  return {
    id: 'chain-fragile',
    config:
      "fragile.json: the web shop gives up after 2,000 ms (checkout's deadline) but nothing below hears of it; api → place-order: 3 attempts, exponential 100 ms → 1 s, 3,000 ms per attempt; " +
      "orders → charge: 3 attempts at once, 2,500 ms per attempt; payments → authorize: 3 attempts, exponential 100 ms → 1 s, no timeout of its own (the bank's 1,500 ms deadline ends a hung call). No budget, no breaker, no deadline propagation.",
    call: (attempt: Attempt) =>
      giveUpAfter(
        2_000,
        naiveRetry(3, 3_000, exponential100, () =>
          naiveRetry(
            3,
            2_500,
            () => 0,
            () => naiveRetry(3, 0, exponential100, () => attempt(AbortSignal.timeout(1_500))),
          ),
        ),
      ),
    close: () => {},
  };
}

/** examples/doctor/fixed.json, hop by hop: declared interactions whose deadlines nest through `currentDeadline()`. */
export function fixedChainArm(seed: number): Arm {
  const random = prng(seed);
  const checkout = defineInteraction({
    name: 'checkout',
    kind: 'hard-real-time',
    deadlineMs: 2_000,
    idempotent: true,
    retry: { maxAttempts: 1 },
    random,
  });
  const placeOrder = defineInteraction({
    name: 'place-order',
    kind: 'hard-real-time',
    deadlineMs: 800,
    attemptTimeoutMs: 800,
    idempotent: true,
    retry: {
      maxAttempts: 2,
      budget: 'token-bucket',
      backoff: 'full-jitter',
      baseMs: 50,
      capMs: 200,
    },
    random,
  });
  const charge = defineInteraction({
    name: 'charge',
    kind: 'hard-real-time',
    deadlineMs: 500,
    idempotent: true,
    retry: { maxAttempts: 1 },
    random,
  });
  const authorize = defineInteraction({
    name: 'authorize',
    kind: 'hard-real-time',
    deadlineMs: 400,
    idempotent: true,
    retry: { maxAttempts: 1 },
    random,
  });
  return {
    id: 'chain-fixed',
    config:
      'fixed.json with `defineInteraction` at every hop: checkout 2,000 ms, 1 attempt; place-order 800 ms, **the only retry layer** (2 attempts, full jitter 50 → 200 ms, token-bucket budget); charge 500 ms and authorize 400 ms, 1 attempt each; ' +
      "each hop's deadline is the smaller of its own and what its caller has left (`currentDeadline()`), and an abort reaches the bank's request; every hop has the default breaker.",
    call: (attempt: Attempt) =>
      checkout.call(() =>
        placeOrder.call(() => charge.call(() => authorize.call(({ signal }) => attempt(signal)))),
      ),
    stats: () => ({ ...placeOrder.stats() }),
    close: () => {},
  };
}
