import { BallastError } from '../core/errors.js';
import type { EndpointState } from './types.js';

/** What the balancer reads health from: a `SnapshotConsumer`, a `HealthMonitor`'s view, or your own. */
export interface HealthSource {
  /** The state of one endpoint ('unknown' when the source has never heard of it). */
  state(id: string): EndpointState;
}

/** Options of `LoadBalancer`. */
export interface LoadBalancerOptions {
  /** The endpoint ids to balance over. */
  endpoints: readonly string[];
  health: HealthSource;
  /**
   * Below this share of healthy endpoints the balancer fails open and uses all of them (Envoy's
   * panic mode): a health signal that marks most of a fleet bad is more likely wrong than the fleet.
   * @defaultValue 0.5
   */
  panicThreshold?: number;
  /** Count 'unknown' (no data yet) as usable. @defaultValue true (static stability: no data is not "down") */
  unknownIsHealthy?: boolean;
  /** Random source. @defaultValue Math.random */
  random?: () => number;
}

/** A chosen endpoint; `release()` when the request ends (it counts outstanding requests). */
export interface Lease {
  readonly id: string;
  /** Whether the choice was made in panic mode (from all endpoints). */
  readonly panic: boolean;
  release(): void;
}

/**
 * Client-side load balancing from the latest health snapshot: the power of two choices on
 * outstanding requests among healthy endpoints, failing open to all endpoints under the panic
 * threshold. Choosing reads cached state only — never a probe on the request path.
 */
export class LoadBalancer {
  readonly #ids: readonly string[];
  readonly #outstanding: Int32Array;
  readonly #health: HealthSource;
  readonly #panic: number;
  readonly #unknownOk: boolean;
  readonly #random: () => number;
  readonly #usable: number[] = [];

  constructor(options: LoadBalancerOptions) {
    if (options.endpoints.length === 0)
      throw new BallastError(
        'InvalidParameterValue',
        'a load balancer needs at least one endpoint',
      );
    const panic = options.panicThreshold ?? 0.5;
    if (!(panic >= 0 && panic <= 1))
      throw new BallastError('InvalidParameterValue', 'panicThreshold must be from 0 to 1');
    this.#ids = [...options.endpoints];
    this.#outstanding = new Int32Array(this.#ids.length);
    this.#health = options.health;
    this.#panic = panic;
    this.#unknownOk = options.unknownIsHealthy ?? true;
    this.#random = options.random ?? Math.random;
  }

  /** Outstanding requests per endpoint id (leases not yet released). */
  outstanding(): Record<string, number> {
    return Object.fromEntries(this.#ids.map((id, i) => [id, this.#outstanding[i]!]));
  }

  /** Picks an endpoint and counts a request on it until `release()`. */
  acquire(): Lease {
    const usable = this.#usable;
    usable.length = 0;
    for (let i = 0; i < this.#ids.length; i++) {
      const s = this.#health.state(this.#ids[i]!);
      if (s === 'healthy' || (s === 'unknown' && this.#unknownOk)) usable.push(i);
    }
    const panic = usable.length === 0 || usable.length < this.#panic * this.#ids.length;
    const pool = panic ? null : usable;
    const size = pool ? pool.length : this.#ids.length;
    const at = (k: number): number => (pool ? pool[k]! : k);
    // Two distinct random candidates; the one with fewer outstanding requests wins.
    const a = at(Math.floor(this.#random() * size));
    let chosen = a;
    if (size > 1) {
      let k = Math.floor(this.#random() * (size - 1));
      if (at(k) === a) k = size - 1;
      const b = at(k);
      if (this.#outstanding[b]! < this.#outstanding[a]!) chosen = b;
    }
    this.#outstanding[chosen]!++;
    let released = false;
    return {
      id: this.#ids[chosen]!,
      panic,
      release: () => {
        if (released) return;
        released = true;
        this.#outstanding[chosen]!--;
      },
    };
  }

  /** Runs `fn` against a chosen endpoint, releasing it afterwards. */
  async call<T>(fn: (id: string) => Promise<T>): Promise<T> {
    const lease = this.acquire();
    try {
      return await fn(lease.id);
    } finally {
      lease.release();
    }
  }
}
