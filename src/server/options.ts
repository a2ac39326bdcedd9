import type { SnapshotSource } from '../health/routes.js';
import type { Ballast } from '../ballast.js';
import { check } from '../core/errors.js';

/** A pino-compatible logger: `(object, message)` calls; `debug` is optional. */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** An access key the server accepts for SigV4-signed requests. */
export interface ServerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Options of `createApp`. */
export interface AppOptions {
  /**
   * Origin put in front of every QueueUrl the server returns (`<publicUrl>/<account>/<queue>`);
   * a function is read per request. @defaultValue the origin of the incoming request
   */
  publicUrl?: string | (() => string);
  /**
   * When set, every SQS and EventBridge request must carry a valid SigV4 signature by one of these
   * keys (covering the body, `host`, `x-amz-target` and `content-type`; see docs/operations.md
   * "Authentication"), and `/metrics` needs a signature or `metricsToken`. @defaultValue none (accept all)
   */
  credentials?: readonly ServerCredentials[];
  /** Largest request body accepted, bytes; larger requests get 413. @defaultValue 2_359_296 (2 MiB + 256 KiB) */
  maxRequestBytes?: number;
  /** Allowed difference between a signature's `X-Amz-Date` and the server clock, seconds. @defaultValue 900 */
  maxClockSkewSeconds?: number;
  /** Where request failures and queue events are logged. @defaultValue silent */
  logger?: ServerLogger;
  /** A health monitor whose snapshots the server serves under `/v1/health/*` (`ballast serve --health FILE`). @defaultValue none */
  health?: () => SnapshotSource;
  /**
   * A bearer token that opens `/metrics` (`Authorization: Bearer <token>`), for scrapers that cannot
   * sign SigV4; at least 16 printable ASCII characters, no spaces. When this or `credentials` is set, `/metrics`
   * answers 401 without credentials. `/healthz` stays open. @defaultValue none
   */
  metricsToken?: string;
  /**
   * Requests in flight at once (1–1,000,000); one more is answered 503 with `Retry-After: 1` before
   * its body is read. Health checks and `/metrics` are never shed. @defaultValue undefined (no limit)
   */
  maxConcurrentRequests?: number;
  /**
   * While store writes fail (full disk, I/O error), the server makes one tiny write probe this
   * often, ms, so it notices recovery with no traffic; 0 turns probing off (`/healthz` still
   * probes). @defaultValue 5_000
   */
  storeProbeIntervalMs?: number;
}

/** Options of `startServer`. */
export interface StartServerOptions extends Omit<AppOptions, 'publicUrl'> {
  /** The open Ballast to serve (the caller closes it after the server). */
  ballast: Ballast;
  /** Interface to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @defaultValue 4566 */
  port?: number;
  /**
   * One origin for every QueueUrl (behind a proxy or a load balancer). @defaultValue the origin
   * each request was sent to (its `Host` header), so every client gets URLs it can reach
   */
  publicUrl?: string;
  /** How long `close()` lets in-flight requests finish before cutting connections, ms. @defaultValue 5_000 */
  closeTimeoutMs?: number;
  /**
   * Time a client has to send one whole request (headers and body), from its first byte, ms
   * (100–3,600,000); past it the server answers 408 and closes the connection. The response is not
   * limited: a long poll waits its 20 s after the request has arrived. @defaultValue 30_000
   */
  requestTimeoutMs?: number;
  /** Time a client has to send a request's headers, from its first byte, ms (100 up to `requestTimeoutMs`); 408 past it. @defaultValue 10_000 */
  headersTimeoutMs?: number;
  /**
   * Open connections one client address may hold at once (0 = no limit, up to 1,000,000); a new
   * connection beyond it is closed at once, before anything is read. Behind a reverse proxy every
   * client shares the proxy's address: raise it or set 0 there. @defaultValue 256
   */
  maxConnectionsPerClient?: number;
}

/** Default values of the connection limits of `StartServerOptions`. */
export const DEFAULT_SERVER_LIMITS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnectionsPerClient: 256,
} as const satisfies Partial<StartServerOptions>;

/** The connection limits of `StartServerOptions`, validated. */
export interface ResolvedServerLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** `null`: no limit. */
  maxConnectionsPerClient: number | null;
}

/** Validates the connection limits once, before the server listens. */
export function resolveServerLimits(
  options: Pick<
    StartServerOptions,
    'requestTimeoutMs' | 'headersTimeoutMs' | 'maxConnectionsPerClient'
  >,
): ResolvedServerLimits {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_SERVER_LIMITS.requestTimeoutMs;
  // The headers default follows a shorter request timeout down (Node refuses headers > request).
  const headersTimeoutMs =
    options.headersTimeoutMs ?? Math.min(DEFAULT_SERVER_LIMITS.headersTimeoutMs, requestTimeoutMs);
  const perClient =
    options.maxConnectionsPerClient ?? DEFAULT_SERVER_LIMITS.maxConnectionsPerClient;
  check(
    Number.isInteger(requestTimeoutMs) && requestTimeoutMs >= 100 && requestTimeoutMs <= 3_600_000,
    'requestTimeoutMs must be an integer from 100 to 3,600,000',
  );
  check(
    Number.isInteger(headersTimeoutMs) &&
      headersTimeoutMs >= 100 &&
      headersTimeoutMs <= requestTimeoutMs,
    `headersTimeoutMs must be an integer from 100 to requestTimeoutMs (${requestTimeoutMs})`,
  );
  check(
    Number.isInteger(perClient) && perClient >= 0 && perClient <= 1_000_000,
    'maxConnectionsPerClient must be an integer from 0 (no limit) to 1,000,000',
  );
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    maxConnectionsPerClient: perClient === 0 ? null : perClient,
  };
}

/** `AppOptions` with defaults applied. */
export interface ResolvedAppOptions {
  publicUrl: (() => string) | null;
  credentials: readonly ServerCredentials[];
  maxRequestBytes: number;
  maxClockSkewSeconds: number;
  logger: ServerLogger;
  maxConcurrentRequests: number | null;
  storeProbeIntervalMs: number;
  metricsToken: string | null;
}

/** Default values of `AppOptions`. */
export const DEFAULT_APP_OPTIONS = {
  maxRequestBytes: 2 * 1024 * 1024 + 256 * 1024,
  maxClockSkewSeconds: 900,
  storeProbeIntervalMs: 5_000,
} as const satisfies Partial<AppOptions>;

const noop = (): void => undefined;
/** A logger that drops everything. */
export const SILENT_LOGGER: ServerLogger = { info: noop, warn: noop, error: noop, debug: noop };

/** Validates options once, at construction. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_APP_OPTIONS.maxRequestBytes;
  const skew = options.maxClockSkewSeconds ?? DEFAULT_APP_OPTIONS.maxClockSkewSeconds;
  check(
    Number.isSafeInteger(maxRequestBytes) && maxRequestBytes >= 1024,
    'maxRequestBytes must be an integer of at least 1024',
  );
  check(Number.isFinite(skew) && skew >= 0, 'maxClockSkewSeconds must be a non-negative number');
  for (const c of options.credentials ?? []) {
    check(
      typeof c.accessKeyId === 'string' &&
        c.accessKeyId !== '' &&
        typeof c.secretAccessKey === 'string' &&
        c.secretAccessKey !== '',
      'credentials need a non-empty accessKeyId and secretAccessKey',
    );
  }
  const maxConcurrent = options.maxConcurrentRequests;
  check(
    maxConcurrent === undefined ||
      (Number.isInteger(maxConcurrent) && maxConcurrent >= 1 && maxConcurrent <= 1_000_000),
    'maxConcurrentRequests must be an integer from 1 to 1,000,000',
  );
  const probeMs = options.storeProbeIntervalMs ?? DEFAULT_APP_OPTIONS.storeProbeIntervalMs;
  check(
    Number.isSafeInteger(probeMs) && probeMs >= 0 && probeMs <= 2_147_483_647,
    'storeProbeIntervalMs must be an integer from 0 to 2,147,483,647',
  );
  const token = options.metricsToken;
  check(
    token === undefined || (typeof token === 'string' && /^[!-~]{16,}$/.test(token)),
    // A header value: printable ASCII, no spaces; 16+ characters so it cannot be guessed quickly.
    'metricsToken must be at least 16 printable ASCII characters, without spaces',
  );
  const url = options.publicUrl;
  return {
    publicUrl: url === undefined ? null : typeof url === 'function' ? url : () => url,
    credentials: options.credentials ?? [],
    maxRequestBytes,
    maxClockSkewSeconds: skew,
    logger: options.logger ?? SILENT_LOGGER,
    maxConcurrentRequests: maxConcurrent ?? null,
    storeProbeIntervalMs: probeMs,
    metricsToken: token ?? null,
  };
}
