/** Exponential backoff with full jitter: a pure function of the attempt number and a random source. */
export interface BackoffOptions {
  /** First retry's ceiling, seconds. @defaultValue 1 */
  baseSeconds?: number;
  /** Largest delay, seconds. @defaultValue 300 */
  maxSeconds?: number;
}

/** Default backoff: 1 s doubling up to 5 min. */
export const DEFAULT_BACKOFF = { baseSeconds: 1, maxSeconds: 300 } as const satisfies Required<BackoffOptions>;

/**
 * Delay before retry number `attempt` (1 = first retry), seconds: uniform in
 * [0, min(max, base · 2^(attempt−1))] ("full jitter").
 */
export function fullJitterSeconds(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds;
  const max = options.maxSeconds ?? DEFAULT_BACKOFF.maxSeconds;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 52)));
  return random() * ceiling;
}
