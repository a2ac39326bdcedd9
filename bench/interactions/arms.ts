/**
 * The arms of the interactions benchmark: one way each of calling the dependency (retries,
 * backoff, breaker, timeouts). Every arm is one shared instance per run, as in one service
 * process whose callers all go through the same policy.
 */
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { exponentialSeconds, fullJitterSeconds } from '../../src/resilience/index.js';
import { prng } from '../../src/testing/prng.js';
import { ballastArm } from './ballast-arm.js';

/** The arms of the full run, in order. */
export const ARM_IDS = [
  'no-backoff',
  'exponential',
  'full-jitter',
  'ballast',
  'cockatiel',
  'opossum',
] as const;
/** Every arm, including opt-in ones (`--arms`): Ballast without its breaker shows the retry budget alone. */
export const ALL_ARM_IDS = [...ARM_IDS, 'ballast-no-breaker'] as const;
export type ArmId = (typeof ALL_ARM_IDS)[number];

/** One downstream call (an attempt), cancelled by `signal`; rejects with `DependencyError` on a 5xx. */
export type Attempt = (signal: AbortSignal) => Promise<void>;

/** The dependency answered 5xx. */
export class DependencyError extends Error {
  constructor(readonly status: number) {
    super(`dependency answered ${status}`);
    this.name = 'DependencyError';
  }
}

/** What every arm shares. */
export interface ArmSettings {
  /** Attempts per call at most (first call included). */
  maxAttempts: number;
  /** Timeout of one attempt, ms. */
  attemptTimeoutMs: number;
  /** The hard-real-time budget of a whole call, ms (Ballast's `deadlineMs`; the others have none). */
  deadlineMs: number;
  /** Backoff base and cap of the three hand-written arms (and opossum's retry loop), ms. */
  baseMs: number;
  capMs: number;
  /** Seed of the jitter's random source. */
  seed: number;
}

export interface Arm {
  id: string;
  /** How it is configured (for the report). */
  config: string;
  /** One client request: resolves on success, rejects with the error the caller would see. */
  call(attempt: Attempt): Promise<void>;
  /** The library's own counters, cumulative (Ballast's `stats()`). */
  stats?(): Record<string, number>;
  close(): void;
}

/** How a client request ended. */
export const OUTCOMES = ['ok', 'rejected', 'timeout', 'short-circuit', 'other'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Sorts a caller-visible error: a 5xx, a timeout (attempt or deadline), a breaker's refusal, or something else. */
export function classify(error: unknown): Outcome {
  if (error instanceof DependencyError) return 'rejected';
  if (isBrokenCircuitError(error)) return 'short-circuit';
  if (isTaskCancelledError(error)) return 'timeout';
  const e = error as { code?: unknown; name?: unknown } | undefined;
  const code = e?.code;
  if (code === 'CircuitOpen' || code === 'EOPENBREAKER') return 'short-circuit';
  if (
    code === 'DeadlineExceeded' ||
    code === 'ETIMEDOUT' ||
    code === 'ABORT_ERR' ||
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError'
  )
    return 'timeout';
  return 'other';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Up to `attempts` tries of `once`, waiting `delayMs(n)` after the n-th failure (no wait when 0); `retryable` can stop early. */
async function retryLoop(
  attempts: number,
  delayMs: (retry: number) => number,
  once: () => Promise<void>,
  retryable: (e: unknown) => boolean = () => true,
): Promise<void> {
  for (let n = 1; ; n++) {
    try {
      return await once();
    } catch (error) {
      if (n >= attempts || !retryable(error)) throw error;
      const ms = delayMs(n);
      if (ms > 0) await sleep(ms);
    }
  }
}

function handWritten(id: 'no-backoff' | 'exponential' | 'full-jitter', s: ArmSettings): Arm {
  const backoff = { baseSeconds: s.baseMs / 1000, maxSeconds: s.capMs / 1000 };
  const random = prng(s.seed);
  const delay = {
    'no-backoff': () => 0,
    exponential: (n: number) => exponentialSeconds(n, backoff) * 1000,
    'full-jitter': (n: number) => fullJitterSeconds(n, backoff, random) * 1000,
  }[id];
  const wait = {
    'no-backoff': 'immediate retry',
    exponential: `exponential backoff without jitter (\`exponentialSeconds\`: ${s.baseMs} ms, ${2 * s.baseMs} ms, … cap ${s.capMs} ms)`,
    'full-jitter': `full jitter (\`fullJitterSeconds\`, base ${s.baseMs} ms, cap ${s.capMs} ms, seeded)`,
  }[id];
  return {
    id,
    config: `up to ${s.maxAttempts} attempts on any failure, ${wait}; ${s.attemptTimeoutMs} ms timeout per attempt (an \`AbortSignal.timeout\`); no overall deadline, no budget, no breaker`,
    call: (attempt) =>
      retryLoop(s.maxAttempts, delay, () => attempt(AbortSignal.timeout(s.attemptTimeoutMs))),
    close: () => {},
  };
}

function cockatielArm(s: ArmSettings): Arm {
  const policy = wrap(
    retry(handleAll, { maxAttempts: s.maxAttempts - 1, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }),
    timeout(s.attemptTimeoutMs, TimeoutStrategy.Aggressive),
  );
  return {
    id: 'cockatiel',
    config:
      `\`wrap(retry(handleAll, { maxAttempts: ${s.maxAttempts - 1}, backoff: new ExponentialBackoff() }), circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }), timeout(${s.attemptTimeoutMs}, TimeoutStrategy.Aggressive))\`: ` +
      `${s.maxAttempts} attempts in all (cockatiel's \`maxAttempts\` counts retries), decorrelated jitter from 128 ms (the default generator; it draws from \`Math.random\`, seeded for the run), ` +
      'a breaker opened by 5 failures in a row and half-open after 1 s, an aggressive timeout per attempt (its signal aborts the request); `handleAll` also retries `BrokenCircuitError`, which fails fast without a call',
    call: (attempt) => policy.execute(({ signal }) => attempt(signal)),
    close: () => {},
  };
}

function opossumArm(s: ArmSettings): Arm {
  const breaker = new CircuitBreaker(
    (attempt: Attempt) => attempt(AbortSignal.timeout(s.attemptTimeoutMs)),
    { timeout: s.attemptTimeoutMs, errorThresholdPercentage: 50, resetTimeout: 1000 },
  );
  const random = prng(s.seed);
  const backoff = { baseSeconds: s.baseMs / 1000, maxSeconds: s.capMs / 1000 };
  const open = (e: unknown): boolean => (e as { code?: unknown }).code === 'EOPENBREAKER';
  return {
    id: 'opossum',
    config:
      `\`new CircuitBreaker(action, { timeout: ${s.attemptTimeoutMs}, errorThresholdPercentage: 50, resetTimeout: 1000 })\` (other options default: 10 s rolling window in 10 buckets, volumeThreshold 0), ` +
      `inside a retry loop of up to ${s.maxAttempts} attempts with full jitter (base ${s.baseMs} ms, cap ${s.capMs} ms, seeded) that does not retry \`EOPENBREAKER\`. ` +
      `Each attempt carries its own \`AbortSignal.timeout(${s.attemptTimeoutMs})\`: opossum's \`abortController\` option is one controller per breaker, and one timeout would abort every call in flight`,
    call: (attempt) =>
      retryLoop(
        s.maxAttempts,
        (n) => fullJitterSeconds(n, backoff, random) * 1000,
        () => breaker.fire(attempt),
        (e) => !open(e),
      ),
    close: () => breaker.shutdown(),
  };
}

/** Builds arm `id` (a fresh instance: no state carried over from another run). */
export function createArm(id: ArmId, s: ArmSettings): Arm {
  if (id === 'cockatiel') return cockatielArm(s);
  if (id === 'opossum') return opossumArm(s);
  if (id === 'ballast' || id === 'ballast-no-breaker') return ballastArm(s, id === 'ballast');
  return handWritten(id, s);
}
