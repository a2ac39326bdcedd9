/**
 * The shared vocabulary of `ballast/health` (constant-work health checking).
 *
 * Glossary: an **endpoint** is something the monitor checks; a **tick** is one interval; a
 * **snapshot** is the fixed-size state of all endpoints, published every tick whether or not
 * anything changed; a **layout** is the ordered list of endpoint ids a snapshot's slots refer to.
 */

/** One endpoint's state in a snapshot (2 bits on the wire: 0 unknown, 1 healthy, 2 unhealthy). */
export type EndpointState = 'unknown' | 'healthy' | 'unhealthy';

/** Wire codes of `EndpointState` (index = code). */
export const STATE_CODES: readonly EndpointState[] = ['unknown', 'healthy', 'unhealthy'];

/** An HTTP(S) GET check: healthy when the status is in `expectStatus` and the body contains `bodyContains` (if set). */
export interface HttpEndpointConfig {
  readonly id: string;
  readonly url: string;
  /** Inclusive status range that counts as healthy. @defaultValue [200, 399] */
  readonly expectStatus?: readonly [number, number];
  /** A substring the first 5,120 bytes of the body must contain (as Route 53 does). */
  readonly bodyContains?: string;
}

/** A TCP connect check: healthy when a connection to `host:port` opens within the timeout. */
export interface TcpEndpointConfig {
  readonly id: string;
  /** `host:port` (IPv6 as `[::1]:port`). */
  readonly tcp: string;
}

/** One endpoint of a JSON config file. */
export type EndpointConfig = HttpEndpointConfig | TcpEndpointConfig;

/** A health monitor's configuration (the JSON file of `ballast health run --config`). */
export interface HealthConfig {
  /** Every endpoint is probed once per interval, ms. */
  readonly intervalMs: number;
  /** A probe's deadline, ms; must be below `intervalMs`. */
  readonly timeoutMs: number;
  /** Consecutive successes that turn an endpoint healthy. */
  readonly healthyThreshold: number;
  /** Consecutive failures that turn an endpoint unhealthy. */
  readonly unhealthyThreshold: number;
  /** Largest random shift of each endpoint's phase in the interval, ms (fixed per run). @defaultValue 0 */
  readonly jitterMs?: number;
  /** Names the monitor in its snapshots (≤ 32 bytes of UTF-8). @defaultValue the host name */
  readonly monitorId?: string;
  /**
   * `false` (the default): every HTTP probe opens a new connection, healthy or not — the same
   * work whatever fails (constant work). `true`: healthy endpoints are probed over kept-alive
   * connections (about half the CPU while all is well, but a refused or hung endpoint leaves no
   * connection to reuse, so a failing fleet costs up to ~2.3× more — see docs/benchmarks.md).
   * @defaultValue false
   */
  readonly reuseConnections?: boolean;
  readonly endpoints: readonly EndpointConfig[];
}

/** What one probe found. */
export interface ProbeResult {
  readonly ok: boolean;
  /** How long the probe took, ms. */
  readonly ms: number;
  /** Why it failed (timeout, refused, status 500, body mismatch …); absent when ok. */
  readonly error?: string;
}

/**
 * A probe: checks one endpoint once, never throws (a failure is `ok: false`), and gives up when
 * `signal` aborts (the monitor aborts it at the timeout).
 */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/** The ordered endpoint ids a snapshot's slots refer to; `version` changes whenever the list does. */
export interface HealthLayout {
  /** A 32-bit hash of the ids in order (the same list always gets the same version). */
  readonly version: number;
  readonly ids: readonly string[];
}

/** A decoded snapshot. */
export interface Snapshot {
  /** The binary format's version (1). */
  readonly formatVersion: number;
  readonly monitorId: string;
  /** When the publishing monitor started (epoch ms): a restart starts a newer epoch, so its sequence may start again. */
  readonly epoch: number;
  /** Grows by one every tick within an epoch. */
  readonly sequence: number;
  /** When the snapshot was taken (epoch ms, the monitor's clock). */
  readonly timeMs: number;
  /** `HealthLayout.version` of the ids its slots refer to. */
  readonly layoutVersion: number;
  /** One state code per endpoint, in layout order (0 unknown, 1 healthy, 2 unhealthy). */
  readonly states: Uint8Array;
}
