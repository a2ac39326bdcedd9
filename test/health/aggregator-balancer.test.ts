/**
 * Quorum aggregation of several checkers' snapshots (stale checkers ignored, restarts handled,
 * last result kept with no fresh checker) and the client-side load balancer (power of two
 * choices, panic mode).
 */
import { describe, expect, it } from 'vitest';
import { HealthAggregator } from '../../src/health/aggregator.js';
import { type HealthSource, LoadBalancer } from '../../src/health/balancer.js';
import { layoutOf } from '../../src/health/layout.js';
import { decodeSnapshot, encodeSnapshot } from '../../src/health/snapshot.js';
import type { EndpointState, Snapshot } from '../../src/health/types.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { prng } from '../../src/testing/prng.js';

const layout = layoutOf(['a', 'b', 'c', 'd']);
const snap = (
  monitorId: string,
  sequence: number,
  states: number[],
  epoch = 1,
  timeMs = sequence * 1000,
): Snapshot => ({
  formatVersion: 1,
  monitorId,
  epoch,
  sequence,
  timeMs,
  layoutVersion: layout.version,
  states: Uint8Array.from(states),
});

describe('HealthAggregator', () => {
  it('votes by quorum among fresh checkers with an opinion; unknowns do not vote', () => {
    const clock = new FakeClock();
    const agg = new HealthAggregator({ clock, healthyShare: 0.5, staleAfterMs: 5_000 });
    expect(agg.offer(encodeSnapshot(snap('m1', 1, [1, 1, 2, 0])), layout)).toEqual({
      accepted: true,
    });
    expect(agg.offer(snap('m2', 1, [1, 2, 2, 0]), layout)).toEqual({ accepted: true });
    expect(agg.offer(snap('m3', 1, [2, 2, 1, 1]), layout)).toEqual({ accepted: true });
    // a: 2 of 3 healthy; b: 1 of 3; c: 1 of 3; d: 1 of 1 opinion.
    expect([...agg.aggregate().snapshot.states]).toEqual([1, 2, 2, 1]);
    const strict = new HealthAggregator({ clock, healthyShare: 1, staleAfterMs: 5_000 });
    for (const m of ['m1', 'm2'])
      strict.offer(snap(m, 1, m === 'm1' ? [1, 1, 1, 1] : [1, 2, 1, 0]), layout);
    expect([...decodeSnapshot(strict.aggregate().bytes).states]).toEqual([1, 2, 1, 1]);
  });

  it('ignores stale checkers, older and corrupt snapshots; a restarted checker (newer epoch) counts again', () => {
    const clock = new FakeClock();
    const agg = new HealthAggregator({ clock, staleAfterMs: 3_000 });
    agg.offer(snap('m1', 5, [1, 1, 1, 1]), layout);
    agg.offer(snap('m2', 5, [2, 2, 2, 2]), layout);
    clock.advance(2_000);
    agg.offer(snap('m1', 6, [1, 1, 1, 1]), layout);
    clock.advance(2_000); // m2 is now 4 s old: stale
    expect([...agg.aggregate().snapshot.states]).toEqual([1, 1, 1, 1]);
    expect(agg.checkers().find((c) => c.monitorId === 'm2')?.fresh).toBe(false);
    expect(agg.offer(snap('m1', 4, [2, 2, 2, 2]), layout)).toEqual({
      accepted: false,
      reason: 'older',
    });
    const corrupt = encodeSnapshot(snap('m1', 7, [2, 2, 2, 2]));
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(agg.offer(corrupt, layout)).toEqual({ accepted: false, reason: 'corrupt' });
    // m2 restarted: new epoch, sequence from 0.
    expect(agg.offer(snap('m2', 0, [2, 2, 2, 2], 2, 4_000), layout)).toEqual({ accepted: true });
    expect([...agg.aggregate().snapshot.states]).toEqual([1, 1, 1, 1]); // 1 of 2 healthy ≥ 0.5
  });

  it('keeps publishing the last result when every checker is stale (no data is not "all unhealthy")', () => {
    const clock = new FakeClock();
    const agg = new HealthAggregator({ clock, staleAfterMs: 1_000 });
    agg.offer(snap('m1', 1, [1, 2, 1, 1]), layout);
    const first = agg.aggregate().snapshot;
    clock.advance(60_000);
    const later = agg.aggregate().snapshot;
    expect([...later.states]).toEqual([...first.states]);
    expect(later.sequence).toBe(first.sequence + 1);
    expect(later.layoutVersion).toBe(layout.version);
  });

  it('refuses a snapshot whose layout it does not know', () => {
    const agg = new HealthAggregator({ clock: new FakeClock() });
    expect(agg.offer(snap('m1', 1, [1, 1, 1, 1]))).toEqual({
      accepted: false,
      reason: 'unknown-layout',
    });
  });
});

describe('LoadBalancer', () => {
  const source = (states: Record<string, EndpointState>): HealthSource => ({
    state: (id) => states[id] ?? 'unknown',
  });

  it('chooses only healthy endpoints and balances outstanding requests (power of two choices)', () => {
    const states: Record<string, EndpointState> = {
      a: 'healthy',
      b: 'healthy',
      c: 'healthy',
      d: 'unhealthy',
    };
    const lb = new LoadBalancer({
      endpoints: ['a', 'b', 'c', 'd'],
      health: source(states),
      random: prng(7),
    });
    const leases = Array.from({ length: 300 }, () => lb.acquire());
    const counts = lb.outstanding();
    expect(counts.d).toBe(0);
    expect(leases.every((l) => !l.panic)).toBe(true);
    // With P2C on outstanding counts, the three stay within a couple of each other.
    const live = [counts.a!, counts.b!, counts.c!];
    expect(Math.max(...live) - Math.min(...live)).toBeLessThanOrEqual(2);
    for (const l of leases) l.release();
    expect(Object.values(lb.outstanding()).every((n) => n === 0)).toBe(true);
  });

  it('fails open under the panic threshold: fewer than half healthy → all endpoints', () => {
    const states: Record<string, EndpointState> = {
      a: 'healthy',
      b: 'unhealthy',
      c: 'unhealthy',
      d: 'unhealthy',
    };
    const lb = new LoadBalancer({
      endpoints: ['a', 'b', 'c', 'd'],
      health: source(states),
      random: prng(3),
    });
    const picked = new Set(
      Array.from({ length: 200 }, () => lb.acquire()).map((l) => (l.panic ? l.id : 'not-panic')),
    );
    expect(picked).toEqual(new Set(['a', 'b', 'c', 'd']));
    // Unknown (no data yet) counts as usable: a fresh client with no snapshot still spreads its calls.
    const fresh = new LoadBalancer({ endpoints: ['a', 'b'], health: source({}), random: prng(1) });
    expect(fresh.acquire().panic).toBe(false);
  });

  it('call() releases its lease whatever happens; bad settings are refused', async () => {
    const lb = new LoadBalancer({ endpoints: ['a'], health: source({ a: 'healthy' }) });
    await expect(lb.call(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lb.outstanding()).toEqual({ a: 0 });
    expect(await lb.call(async (id) => id)).toBe('a');
    expect(() => new LoadBalancer({ endpoints: [], health: source({}) })).toThrow(/at least one/);
    expect(
      () => new LoadBalancer({ endpoints: ['a'], health: source({}), panicThreshold: 2 }),
    ).toThrow(/panicThreshold/);
  });
});
