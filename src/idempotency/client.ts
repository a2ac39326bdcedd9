import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { fullJitterSeconds } from '../core/backoff.js';

/** Options of `idempotentFetch`. */
export interface IdempotentFetchOptions {
  /** The key for this logical request; the same on every retry. @defaultValue a new UUID v4 */
  key?: string;
  /** Attempts in all, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Retry delay: full-jitter exponential, seconds. @defaultValue 0.1 s doubling to 5 s */
  backoff?: { baseSeconds?: number; maxSeconds?: number };
  /** Longest `Retry-After` honoured, seconds (a longer one ends the retries). @defaultValue 30 */
  maxRetryAfterSeconds?: number;
  /** The fetch to use. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
}

/** Statuses worth another try with the same key: in flight elsewhere (409), throttled (429), server errors. */
const RETRYABLE = (status: number): boolean => status === 409 || status === 429 || status >= 500;

/** The `Retry-After` header in seconds (delta-seconds or an HTTP date), or null. */
function retryAfterSeconds(value: string | null, now: number): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, (at - now) / 1000) : null;
}

/**
 * `fetch` with an `Idempotency-Key` (a structured-field string, as the IETF draft wants) that
 * stays the same across retries, so the server runs the request once. Retries network errors,
 * 409, 429 and 5xx with full-jitter backoff, honouring `Retry-After`; answers the last response
 * (or throws the last network error) when the attempts run out. The request body must be
 * replayable (a string, a Buffer, URLSearchParams — not a stream).
 */
export async function idempotentFetch(
  input: string | URL,
  init: RequestInit = {},
  options: IdempotentFetchOptions = {},
): Promise<Response> {
  const f = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? systemClock;
  const key = options.key ?? randomUUID();
  const headers = new Headers(init.headers);
  headers.set('idempotency-key', `"${key.replace(/["\\]/g, (c) => `\\${c}`)}"`);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  for (let attempt = 1; ; attempt++) {
    let response: Response | null = null;
    let error: unknown = null;
    try {
      response = await f(input, { ...init, headers });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      error = e;
    }
    const retry = error !== null || (response !== null && RETRYABLE(response.status));
    if (!retry || attempt >= maxAttempts) {
      if (response) return response;
      throw error;
    }
    let waitSeconds = fullJitterSeconds(
      attempt,
      { baseSeconds: 0.1, maxSeconds: 5, ...options.backoff },
      options.random,
    );
    const after = response
      ? retryAfterSeconds(response.headers.get('retry-after'), clock.now())
      : null;
    if (after !== null) {
      if (after > (options.maxRetryAfterSeconds ?? 30)) return response!;
      waitSeconds = Math.max(waitSeconds, after);
    }
    // The body of a response we retry past is never read: release it.
    await response?.body?.cancel().catch(() => undefined);
    if (!(await clock.sleep(waitSeconds * 1000, init.signal ?? undefined))) {
      throw init.signal?.reason ?? new Error('aborted');
    }
  }
}
