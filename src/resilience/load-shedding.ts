import { BallastError } from '../core/errors.js';

/**
 * Counts requests in flight against a fixed limit; the core of every load-shedding adapter.
 * `tryEnter()` admits or refuses at once (no queue); each admitted request calls `leave()` once.
 */
export class ConcurrencyLimiter {
  /** Requests allowed in flight at once. */
  readonly maxConcurrent: number;
  #inFlight = 0;
  #admitted = 0;
  #shed = 0;

  /** @param maxConcurrent - requests allowed in flight at once, an integer from 1 to 1,000,000. */
  constructor(maxConcurrent: number) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > 1_000_000) {
      throw new BallastError(
        'InvalidParameterValue',
        `maxConcurrent must be an integer from 1 to 1,000,000 (got ${maxConcurrent})`,
      );
    }
    this.maxConcurrent = maxConcurrent;
  }

  /** Admits one request (true) when fewer than `maxConcurrent` are in flight; otherwise counts it as shed (false). */
  tryEnter(): boolean {
    if (this.#inFlight >= this.maxConcurrent) {
      this.#shed++;
      return false;
    }
    this.#inFlight++;
    this.#admitted++;
    return true;
  }

  /** Ends one admitted request. A call with nothing in flight is ignored, so the count never goes below 0. */
  leave(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests admitted since construction (a counter, for metrics). */
  get admitted(): number {
    return this.#admitted;
  }

  /** Requests refused since construction (a counter, for metrics). */
  get shed(): number {
    return this.#shed;
  }
}

/** What an exemption rule sees of a request. */
export interface SheddingRequest {
  method: string;
  /** The path, without the query string. */
  path: string;
}

/** Options of the load-shedding adapters (`loadShedding`, `honoLoadShedding`, `fastifyLoadShedding`). */
export interface LoadSheddingOptions {
  /** Requests allowed in flight at once (integer, 1–1,000,000); one more is answered 503 at once. */
  maxConcurrent: number;
  /** `Retry-After` of a 503, whole seconds (0–86,400). @defaultValue 1 */
  retryAfterSeconds?: number;
  /**
   * Requests never shed and not counted: a list of paths (one ending in `/` covers everything
   * under it) or a predicate. @defaultValue `DEFAULT_EXEMPT_PATHS` (health checks)
   */
  exempt?: readonly string[] | ((req: SheddingRequest) => boolean);
}

/** Health-check paths that are never shed: shedding them would take a busy server out of its load balancer, moving its load onto the others. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = [
  '/healthz',
  '/livez',
  '/readyz',
  '/v1/health/',
];

/** `LoadSheddingOptions` validated, with defaults applied. */
export interface ResolvedLoadShedding {
  limiter: ConcurrencyLimiter;
  isExempt: (req: SheddingRequest) => boolean;
  /** The 503 every adapter sends. */
  refusal: { status: 503; headers: Record<string, string>; body: string };
}

/** Validates options once, at construction (`InvalidParameterValue` when out of range). */
export function resolveLoadShedding(options: LoadSheddingOptions): ResolvedLoadShedding {
  const retryAfter = options.retryAfterSeconds ?? 1;
  if (!Number.isInteger(retryAfter) || retryAfter < 0 || retryAfter > 86_400) {
    throw new BallastError(
      'InvalidParameterValue',
      `retryAfterSeconds must be an integer from 0 to 86,400 (got ${retryAfter})`,
    );
  }
  const limiter = new ConcurrencyLimiter(options.maxConcurrent);
  const exempt = options.exempt ?? DEFAULT_EXEMPT_PATHS;
  const isExempt = typeof exempt === 'function' ? exempt : exemptPaths(exempt);
  const body = JSON.stringify({
    title: 'Server overloaded',
    status: 503,
    detail: `More than ${limiter.maxConcurrent} requests are in flight; this one was not started. Retry after ${retryAfter} s.`,
  });
  return {
    limiter,
    isExempt,
    refusal: {
      status: 503,
      headers: { 'content-type': 'application/problem+json', 'retry-after': String(retryAfter) },
      body,
    },
  };
}

/** A predicate matching `paths` exactly, or by prefix for entries ending in `/`. */
function exemptPaths(paths: readonly string[]): (req: SheddingRequest) => boolean {
  const exact = new Set(paths.filter((p) => !p.endsWith('/')));
  const prefixes = paths.filter((p) => p.endsWith('/'));
  return ({ path }) => {
    // A dot segment may route somewhere else once normalised: never exempt it.
    if (path.includes('..')) return false;
    return exact.has(path) || prefixes.some((p) => path.startsWith(p));
  };
}

/** The path of a raw request target (`/a/b?x=1` → `/a/b`). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
