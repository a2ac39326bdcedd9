/** Exponential backoff, capped, with the jitter variants of the AWS Architecture Blog (2015): pure functions of the attempt number and a random source. */
export interface BackoffOptions {
  /** First retry's ceiling, seconds. @defaultValue 1 */
  baseSeconds?: number;
  /** Largest delay, seconds. @defaultValue 300 */
  maxSeconds?: number;
}

/** Default backoff: 1 s doubling up to 5 min. */
export const DEFAULT_BACKOFF = {
  baseSeconds: 1,
  maxSeconds: 300,
} as const satisfies Required<BackoffOptions>;

/**
 * Delay before retry number `attempt` (1 = first retry), seconds: uniform in
 * [0, min(max, base · 2^(attempt−1))] ("full jitter").
 */
export function fullJitterSeconds(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  return random() * exponentialSeconds(attempt, options);
}

/** The un-jittered ceiling of retry `attempt`, seconds: min(max, base · 2^(attempt−1)). */
export function exponentialSeconds(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds;
  const max = options.maxSeconds ?? DEFAULT_BACKOFF.maxSeconds;
  return Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 52)));
}

/** "Equal jitter": half the ceiling fixed, half random — uniform in [c/2, c], c = `exponentialSeconds`. */
export function equalJitterSeconds(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const ceiling = exponentialSeconds(attempt, options);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * "Decorrelated jitter": each delay drawn from the previous one — uniform in
 * [base, min(max, 3 × previous)], seconds; pass `base` as `previous` for the first retry.
 */
export function decorrelatedJitterSeconds(
  previous: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds;
  const max = options.maxSeconds ?? DEFAULT_BACKOFF.maxSeconds;
  const upper = Math.min(max, Math.max(base, 3 * previous));
  return Math.min(max, base + random() * (upper - base));
}
