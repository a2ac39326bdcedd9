import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { HEALTHY, UNHEALTHY, UNKNOWN } from './hysteresis.js';
import { decodeSnapshot, encodeSnapshot, SnapshotError } from './snapshot.js';
import type { HealthLayout, Snapshot } from './types.js';

/** Options of `HealthAggregator`. */
export interface AggregatorOptions {
  /** Share of the fresh checkers with an opinion that must say healthy (Route 53 uses 18 %). @defaultValue 0.5 */
  healthyShare?: number;
  /** A checker whose latest snapshot is older than this is ignored, ms. @defaultValue 3 × the interval seen, or 10,000 before one is seen */
  staleAfterMs?: number;
  /** Names the aggregated snapshots (≤ 32 bytes). @defaultValue 'aggregate' */
  aggregatorId?: string;
  clock?: Clock;
}

/** Why `offer` took or ignored a snapshot. */
export type OfferResult =
  { accepted: true } | { accepted: false; reason: 'corrupt' | 'older' | 'unknown-layout' };

/** One checker as the aggregator sees it. */
export interface CheckerView {
  readonly monitorId: string;
  readonly epoch: number;
  readonly sequence: number;
  /** When its latest snapshot arrived (the aggregator's clock). */
  readonly receivedAt: number;
  readonly fresh: boolean;
  readonly layoutVersion: number;
}

interface Checker {
  snapshot: Snapshot;
  receivedAt: number;
}

/**
 * Combines the latest snapshot of each of several monitors (checkers) by a quorum: an endpoint
 * is healthy when at least `healthyShare` of the fresh checkers that have an opinion say so.
 * Stale checkers are ignored; with no fresh checker at all it keeps publishing its last result
 * (static stability: "no data" never becomes "all unhealthy").
 */
export class HealthAggregator {
  readonly #checkers = new Map<string, Checker>();
  readonly #layouts = new Map<number, HealthLayout>();
  readonly #o: {
    healthyShare: number;
    aggregatorId: string;
    clock: Clock;
    staleAfterMs: number | undefined;
  };
  readonly #epoch: number;
  #sequence = 0;
  #last: Snapshot | undefined;
  #intervalSeen: number | undefined;

  constructor(options: AggregatorOptions = {}) {
    const share = options.healthyShare ?? 0.5;
    if (!(share > 0 && share <= 1))
      throw new BallastError('InvalidParameterValue', 'healthyShare must be above 0 and at most 1');
    this.#o = {
      healthyShare: share,
      aggregatorId: options.aggregatorId ?? 'aggregate',
      clock: options.clock ?? systemClock,
      staleAfterMs: options.staleAfterMs,
    };
    this.#epoch = this.#o.clock.now();
  }

  /** Takes a checker's snapshot (bytes or decoded) if it is newer than the one held for that checker; `layout` names its ids. */
  offer(input: Uint8Array | Snapshot, layout?: HealthLayout): OfferResult {
    let snapshot: Snapshot;
    try {
      snapshot = input instanceof Uint8Array ? decodeSnapshot(input) : input;
    } catch (error) {
      if (error instanceof SnapshotError) return { accepted: false, reason: 'corrupt' };
      throw error;
    }
    if (
      layout &&
      layout.version === snapshot.layoutVersion &&
      layout.ids.length === snapshot.states.length
    )
      this.#layouts.set(layout.version, layout);
    if (!this.#layouts.has(snapshot.layoutVersion))
      return { accepted: false, reason: 'unknown-layout' };
    const held = this.#checkers.get(snapshot.monitorId);
    if (held && !newer(snapshot, held.snapshot)) return { accepted: false, reason: 'older' };
    const now = this.#o.clock.now();
    if (
      held &&
      held.snapshot.epoch === snapshot.epoch &&
      snapshot.sequence > held.snapshot.sequence
    ) {
      const gap = (now - held.receivedAt) / (snapshot.sequence - held.snapshot.sequence);
      if (gap > 0) this.#intervalSeen = gap;
    }
    this.#checkers.set(snapshot.monitorId, { snapshot, receivedAt: now });
    return { accepted: true };
  }

  /** The checkers held, and whether each is fresh. */
  checkers(): CheckerView[] {
    const now = this.#o.clock.now();
    return [...this.#checkers.values()].map(({ snapshot: s, receivedAt }) => ({
      monitorId: s.monitorId,
      epoch: s.epoch,
      sequence: s.sequence,
      receivedAt,
      fresh: now - receivedAt <= this.#staleAfter(),
      layoutVersion: s.layoutVersion,
    }));
  }

  /**
   * The aggregated snapshot (a new sequence each call) over the newest layout among fresh
   * checkers; checkers on another layout do not vote. With no fresh checker, the last result again.
   */
  aggregate(): { snapshot: Snapshot; bytes: Buffer; layout: HealthLayout | undefined } {
    const now = this.#o.clock.now();
    const fresh = [...this.#checkers.values()].filter(
      (c) => now - c.receivedAt <= this.#staleAfter(),
    );
    const newest = fresh.reduce<Checker | undefined>(
      (a, c) => (!a || c.snapshot.timeMs > a.snapshot.timeMs ? c : a),
      undefined,
    );
    const layout = newest
      ? this.#layouts.get(newest.snapshot.layoutVersion)
      : this.#last
        ? this.#layouts.get(this.#last.layoutVersion)
        : undefined;
    let states: Uint8Array;
    if (newest && layout) {
      const voters = fresh
        .filter((c) => c.snapshot.layoutVersion === layout.version)
        .map((c) => c.snapshot.states);
      states = vote(voters, layout.ids.length, this.#o.healthyShare);
    } else {
      states = this.#last?.states.slice() ?? new Uint8Array(0);
    }
    const snapshot: Snapshot = {
      formatVersion: 1,
      monitorId: this.#o.aggregatorId,
      epoch: this.#epoch,
      sequence: this.#sequence++,
      timeMs: now,
      layoutVersion: layout?.version ?? 0,
      states,
    };
    this.#last = snapshot;
    return { snapshot, bytes: encodeSnapshot(snapshot), layout };
  }

  #staleAfter(): number {
    return (
      this.#o.staleAfterMs ?? (this.#intervalSeen !== undefined ? 3 * this.#intervalSeen : 10_000)
    );
  }
}

/** (epoch, sequence) order: a restarted monitor starts a newer epoch. */
function newer(a: Snapshot, b: Snapshot): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.sequence > b.sequence);
}

function vote(voters: readonly Uint8Array[], count: number, share: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let healthy = 0;
    let opinions = 0;
    for (const states of voters) {
      const s = states[i];
      if (s === HEALTHY) healthy++;
      if (s === HEALTHY || s === UNHEALTHY) opinions++;
    }
    out[i] = opinions === 0 ? UNKNOWN : healthy >= share * opinions ? HEALTHY : UNHEALTHY;
  }
  return out;
}
