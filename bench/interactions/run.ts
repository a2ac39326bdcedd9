/**
 * The interactions benchmark: every arm in turn, in one process, through the same phases of a
 * dependency (its own process) — healthy, failing (503 at once), recovered, hanging, recovered,
 * overloaded, recovered — at a fixed arrival rate of client requests.
 */
import { performance } from 'node:perf_hooks';
import { prng } from '../../src/testing/prng.js';
import { packageVersion } from '../queue/versions.js';
import { ARM_IDS, type ArmId, type ArmSettings, createArm } from './arms.js';
import { drive, type OverloadSettings, type PhaseSpec, startDependency } from './load.js';
import { type ArmResult, armResult } from './metrics.js';

export interface InteractionsBenchOptions extends ArmSettings, OverloadSettings {
  /** Client requests per second (open loop). */
  rate: number;
  warmupSeconds: number;
  failSeconds: number;
  /** Each of the three recovered phases. */
  recoverSeconds: number;
  /** The hanging phase (0 leaves it and its recovery out). */
  hangSeconds: number;
  overloadSeconds: number;
  arms: ArmId[];
}

export const DEFAULT_OPTIONS: InteractionsBenchOptions = {
  rate: 500,
  warmupSeconds: 3,
  failSeconds: 4,
  recoverSeconds: 4,
  hangSeconds: 3,
  overloadSeconds: 4,
  capacity: 32,
  serviceMs: 100,
  queueLimit: 16,
  maxAttempts: 3,
  attemptTimeoutMs: 200,
  deadlineMs: 500,
  baseMs: 25,
  capMs: 1000,
  seed: 1,
  arms: [...ARM_IDS],
};

/** A smoke run: phases of 1–2 s (about 12 s per arm). */
export const QUICK_OPTIONS: InteractionsBenchOptions = {
  ...DEFAULT_OPTIONS,
  warmupSeconds: 1.5,
  failSeconds: 1.5,
  recoverSeconds: 2,
  hangSeconds: 1,
  overloadSeconds: 1.5,
};

export const isDefault = (o: InteractionsBenchOptions): boolean =>
  (Object.keys(DEFAULT_OPTIONS) as (keyof InteractionsBenchOptions)[]).every(
    (k) => JSON.stringify(o[k]) === JSON.stringify(DEFAULT_OPTIONS[k]),
  );

/** The phases every arm goes through, in order. */
export function phasesOf(o: InteractionsBenchOptions): PhaseSpec[] {
  const recovered = (id: string): PhaseSpec => ({
    id,
    label: 'recovered (healthy again)',
    mode: 'healthy',
    seconds: o.recoverSeconds,
  });
  return [
    { id: 'warmup', label: 'healthy (warm-up)', mode: 'healthy', seconds: o.warmupSeconds },
    { id: 'fail', label: '100 % failing: 503 at once', mode: 'fail', seconds: o.failSeconds },
    recovered('recover'),
    ...(o.hangSeconds > 0
      ? [
          {
            id: 'hang',
            label: "100 % hanging until the client's timeout",
            mode: 'hang',
            seconds: o.hangSeconds,
          } satisfies PhaseSpec,
          recovered('recover-hang'),
        ]
      : []),
    {
      id: 'overload',
      label: `overloaded: ${o.capacity} in service × ${o.serviceMs} ms, queue ≤ ${o.queueLimit}, 503 beyond`,
      mode: 'overload',
      seconds: o.overloadSeconds,
    },
    recovered('recover-overload'),
  ];
}

export interface InteractionsBenchResult {
  startedAt: Date;
  seconds: number;
  options: InteractionsBenchOptions;
  phases: PhaseSpec[];
  arms: ArmResult[];
  versions: Record<string, string>;
}

/** Unmeasured healthy load before the first arm (connections, JIT of the client path). */
const PREWARM_SECONDS = 2;

export async function runInteractionsBench(
  o: InteractionsBenchOptions,
  log: (line: string) => void,
): Promise<InteractionsBenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const phases = phasesOf(o);
  const dep = await startDependency();
  const arms: ArmResult[] = [];
  const random = Math.random;
  try {
    await drive(
      createArm('no-backoff', o),
      [{ id: 'prewarm', label: 'prewarm', mode: 'healthy', seconds: PREWARM_SECONDS }],
      o.rate,
      o,
      dep,
      'prewarm',
    );
    for (const id of o.arms) {
      // cockatiel's jitter draws from Math.random: seeded for every arm alike, so runs repeat.
      Math.random = prng(o.seed);
      const arm = createArm(id, o);
      let result: ArmResult;
      try {
        result = armResult(id, arm.config, phases, await drive(arm, phases, o.rate, o, dep, id));
      } finally {
        arm.close();
        Math.random = random;
      }
      arms.push(result);
      for (const p of result.phases) {
        log(
          `  ${id.padEnd(12)} ${p.id.padEnd(17)} req ${String(p.requests).padStart(5)}  calls ${String(p.downstreamClient).padStart(5)}/${String(p.downstreamServer).padStart(5)} (${(p.downstreamClient / p.requests).toFixed(2)}×)  ok ${String(p.successes).padStart(5)}  ` +
            `p50 ${p.p50Ms.toFixed(0).padStart(4)} p99 ${p.p99Ms.toFixed(0).padStart(4)} ms  eld p99 ${p.eldP99Ms.toFixed(0)} ms${p.recoveryMs !== undefined ? `  recovery ${p.recoveryMs ?? '—'} ms` : ''}`,
        );
      }
    }
  } finally {
    Math.random = random;
    await dep.stop();
  }
  return {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    options: o,
    phases,
    arms,
    versions: { cockatiel: packageVersion('cockatiel'), opossum: packageVersion('opossum') },
  };
}
