/** Per-phase figures of one arm's trace: counts, amplification, latency, completion and recovery. */
import { median, percentile } from '../queue/workload.js';
import { type Outcome, OUTCOMES } from './arms.js';
import type { ArmTrace, PhaseSpec } from './load.js';

/** Success throughput is counted in buckets of this many ms. */
export const BUCKET_MS = 100;
/** Recovered: a bucket's successes reach this share of the healthy throughput. */
export const RECOVERED_SHARE = 0.95;
/** The first part of the warm-up (connections, JIT) is left out of the healthy throughput. */
const WARMUP_SKIP = 0.2;

export interface PhaseResult {
  id: string;
  label: string;
  mode: PhaseSpec['mode'];
  seconds: number;
  /** Client requests scheduled in the phase. */
  requests: number;
  /** Downstream calls (attempts) the phase's requests made, counted by the client (some may land after the phase). */
  downstreamClient: number;
  /** Requests that arrived at the dependency while it was in this phase. */
  downstreamServer: number;
  successes: number;
  /** Client-visible errors by kind. */
  errors: Record<Exclude<Outcome, 'ok'>, number>;
  /** Latency of the phase's client requests (successes and errors), ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** When the last request of the phase settled, ms after the phase's scheduled end (negative: before it). */
  settledAfterEndMs: number;
  /** After a failing phase: ms from the phase's start to the end of the first bucket reaching 95 % of the healthy throughput; null if none did; undefined for other phases. */
  recoveryMs: number | null | undefined;
  /** Successes settling per 100 ms bucket, from the phase's scheduled start. */
  successPer100ms: number[];
  /** The arm's own counters over the phase (by time), when it keeps any. */
  stats: Record<string, number>;
  /** The client process's event-loop delay over the phase, p99 and max, ms. */
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface ArmResult {
  id: string;
  config: string;
  /** Median successes per 100 ms in the warm-up (its first 20 % left out). */
  healthyPer100ms: number;
  phases: PhaseResult[];
  /** Downstream calls over the whole arm, counted by the client and by the dependency (they should match). */
  totalClient: number;
  totalServer: number;
  drainMs: number;
  unsettled: number;
}

/** Successes settling in each BUCKET_MS bucket of [fromMs, toMs). */
function successBuckets(t: ArmTrace, fromMs: number, toMs: number): number[] {
  const buckets = new Array<number>(Math.ceil((toMs - fromMs) / BUCKET_MS)).fill(0);
  for (let k = 0; k < t.outcome.length; k++) {
    if (t.outcome[k] !== 0) continue;
    const at = t.settledMs[k]!;
    if (at >= fromMs && at < toMs) buckets[Math.floor((at - fromMs) / BUCKET_MS)]!++;
  }
  return buckets;
}

const delta = (
  a: Record<string, number> = {},
  b: Record<string, number> = {},
): Record<string, number> =>
  Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));

export function armResult(
  id: string,
  config: string,
  phases: readonly PhaseSpec[],
  t: ArmTrace,
): ArmResult {
  const b = t.boundariesMs;
  const warm = successBuckets(t, b[0]!, b[1]!);
  const healthyPer100ms = median(
    warm.slice(Math.min(warm.length - 1, Math.floor(warm.length * WARMUP_SKIP))),
  );
  const results = phases.map((p, i): PhaseResult => {
    const latencies: number[] = [];
    const errors = { rejected: 0, timeout: 0, 'short-circuit': 0, other: 0 };
    let requests = 0;
    let downstreamClient = 0;
    let successes = 0;
    let lastSettled = -Infinity;
    for (let k = 0; k < t.phase.length; k++) {
      if (t.phase[k] !== i) continue;
      requests++;
      downstreamClient += t.attempts[k]!;
      const outcome = OUTCOMES[t.outcome[k]!] ?? 'other';
      if (outcome === 'ok') successes++;
      else errors[outcome]++;
      const settled = t.settledMs[k]!;
      if (Number.isNaN(settled)) lastSettled = Infinity;
      else {
        latencies.push(settled - t.issuedMs[k]!);
        lastSettled = Math.max(lastSettled, settled);
      }
    }
    const buckets = successBuckets(t, b[i]!, b[i + 1]!);
    const afterFailure = p.mode === 'healthy' && i > 0 && phases[i - 1]!.mode !== 'healthy';
    const first = buckets.findIndex((n) => n >= RECOVERED_SHARE * healthyPer100ms);
    return {
      id: p.id,
      label: p.label,
      mode: p.mode,
      seconds: p.seconds,
      requests,
      downstreamClient,
      downstreamServer: t.server[i]?.arrived ?? 0,
      successes,
      errors,
      p50Ms: latencies.length > 0 ? percentile(latencies, 50) : Number.NaN,
      p99Ms: latencies.length > 0 ? percentile(latencies, 99) : Number.NaN,
      maxMs: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
      settledAfterEndMs: lastSettled - b[i + 1]!,
      recoveryMs: afterFailure ? (first < 0 ? null : (first + 1) * BUCKET_MS) : undefined,
      successPer100ms: buckets,
      stats: delta(t.stats[i], t.stats[i + 1]),
      eldP99Ms: t.eldP99Ms[i] ?? Number.NaN,
      eldMaxMs: t.eldMaxMs[i] ?? Number.NaN,
    };
  });
  let totalClient = 0;
  for (const a of t.attempts) totalClient += a;
  return {
    id,
    config,
    healthyPer100ms,
    phases: results,
    totalClient,
    totalServer: t.server.reduce((a, s) => a + s.arrived, 0),
    drainMs: t.drainMs,
    unsettled: t.unsettled,
  };
}
