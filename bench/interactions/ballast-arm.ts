/** The Ballast arms: a declared hard-real-time interaction (`defineInteraction`), with its breaker or (opt-in) without it. */
import { defineInteraction } from '../../src/interactions/index.js';
import { prng } from '../../src/testing/prng.js';
import type { Arm, ArmSettings } from './arms.js';

/**
 * `ballast`: the defaults but for the deadline, the attempt timeout and `idempotent: true` (retries
 * need it). `ballast-no-breaker`: the same with `breaker: false`, so the retry budget alone bounds
 * the calls under failure.
 */
export function ballastArm(s: ArmSettings, withBreaker: boolean): Arm {
  const dep = defineInteraction({
    name: 'bench.dependency',
    kind: 'hard-real-time',
    deadlineMs: s.deadlineMs,
    attemptTimeoutMs: s.attemptTimeoutMs,
    idempotent: true,
    retry: { maxAttempts: s.maxAttempts },
    breaker: withBreaker ? {} : false,
    random: prng(s.seed),
  });
  return {
    id: withBreaker ? 'ballast' : 'ballast-no-breaker',
    config:
      `\`defineInteraction({ kind: 'hard-real-time', deadlineMs: ${s.deadlineMs}, attemptTimeoutMs: ${s.attemptTimeoutMs}, idempotent: true, retry: { maxAttempts: ${s.maxAttempts} }, breaker: ${withBreaker ? '{}' : 'false'}, random: <seeded> })\`: ` +
      `the defaults otherwise — full jitter (base 25 ms, cap 1 s), the AWS SDK token-bucket retry budget (500 tokens, 5 per retry, 10 after a timeout, +1 per first-try success)${withBreaker ? ', the default breaker (opens when ≥ 50 % of ≥ 20 first attempts in the last 2 s failed; open 0.5 s, then one trial call)' : ', **no breaker** (the budget alone)'}`,
    call: (attempt) => dep.call(({ signal }) => attempt(signal)),
    stats: () => ({ ...dep.stats() }),
    close: () => {},
  };
}
