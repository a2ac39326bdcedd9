import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { HealthAggregator } from './aggregator.js';
import { Every, ScheduledService } from './every.js';
import type { SnapshotSource } from './routes.js';
import type { HealthLayout, Snapshot } from './types.js';

/** Options of `AggregateService`. */
export interface AggregateServiceOptions {
  /** Base URLs of the checkers (each serving `/v1/health/snapshot` and `/v1/health/layout`). */
  checkers: readonly string[];
  /** ms between rounds: every checker is read once per round, and one aggregate is published. @defaultValue 1,000 */
  intervalMs?: number;
  /** Share of fresh checkers with an opinion that must say healthy. @defaultValue 0.5 */
  healthyShare?: number;
  /** A checker not read successfully for this long does not vote, ms. @defaultValue 3 × intervalMs */
  staleAfterMs?: number;
  /** Names the aggregate snapshots. @defaultValue 'aggregate' */
  aggregatorId?: string;
  /** Per-request deadline, ms. @defaultValue half the interval */
  timeoutMs?: number;
  clock?: Clock;
}

/** What one round saw of one checker. */
export interface CheckerRead {
  readonly url: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Reads the latest snapshot of every checker once per interval (a fixed amount of work, whether
 * they answer or not) and publishes the quorum of the fresh ones; a checker that is down simply
 * stops voting once stale, and with none left the last aggregate is published again.
 */
export class AggregateService extends ScheduledService {
  readonly #aggregator: HealthAggregator;
  readonly #o: Required<
    Omit<AggregateServiceOptions, 'staleAfterMs' | 'healthyShare' | 'aggregatorId'>
  >;
  readonly #layouts = new Map<string, HealthLayout>();
  #last: { bytes: Buffer; snapshot: Snapshot; layout: HealthLayout | undefined } | undefined;

  constructor(options: AggregateServiceOptions) {
    super('health aggregate service');
    if (options.checkers.length === 0)
      throw new BallastError(
        'InvalidParameterValue',
        'an aggregate needs at least one checker URL',
      );
    for (const url of options.checkers) {
      if (!/^https?:\/\/[^/]+/.test(url))
        throw new BallastError(
          'InvalidParameterValue',
          `checker URL must be http(s)://host[:port], got ${url}`,
        );
    }
    const intervalMs = options.intervalMs ?? 1_000;
    this.#o = {
      checkers: options.checkers.map((u) => u.replace(/\/+$/, '')),
      intervalMs,
      timeoutMs: options.timeoutMs ?? intervalMs / 2,
      clock: options.clock ?? systemClock,
    };
    this.#aggregator = new HealthAggregator({
      clock: this.#o.clock,
      staleAfterMs: options.staleAfterMs ?? 3 * intervalMs,
      ...(options.healthyShare !== undefined ? { healthyShare: options.healthyShare } : {}),
      ...(options.aggregatorId !== undefined ? { aggregatorId: options.aggregatorId } : {}),
    });
    this.schedule(new Every(this.#o.clock, intervalMs, () => this.round()));
  }

  /** What the HTTP routes serve (`healthRoutes(() => service.source())`). */
  source(): SnapshotSource {
    return {
      last: this.#last,
      layout: this.#last?.layout ?? { version: 0, ids: [] },
      intervalMs: this.#o.intervalMs,
    };
  }

  /** The checkers and whether each is fresh. */
  checkers() {
    return this.#aggregator.checkers();
  }

  /** One round: reads every checker (in parallel, each under the deadline), then publishes the aggregate. */
  async round(): Promise<CheckerRead[]> {
    const reads = await Promise.all(this.#o.checkers.map((url) => this.#read(url)));
    this.#last = this.#aggregator.aggregate();
    return reads;
  }

  async #read(url: string): Promise<CheckerRead> {
    try {
      const signal = AbortSignal.timeout(this.#o.timeoutMs);
      const res = await fetch(`${url}/v1/health/snapshot`, { signal });
      if (!res.ok) return { url, ok: false, error: `HTTP ${res.status}` };
      const bytes = new Uint8Array(await res.arrayBuffer());
      const version = Number(res.headers.get('x-ballast-layout-version'));
      let layout = this.#layouts.get(url);
      // The layout is fetched only when the checker's changes (a config push on that checker).
      if (!layout || layout.version !== version) {
        const got = await fetch(`${url}/v1/health/layout`, { signal });
        if (!got.ok) return { url, ok: false, error: `layout: HTTP ${got.status}` };
        layout = (await got.json()) as HealthLayout;
        this.#layouts.set(url, layout);
      }
      const offered = this.#aggregator.offer(bytes, layout);
      return offered.accepted ? { url, ok: true } : { url, ok: false, error: offered.reason };
    } catch (error) {
      return { url, ok: false, error: (error as Error).message };
    }
  }
}
