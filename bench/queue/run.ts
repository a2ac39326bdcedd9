import { performance } from 'node:perf_hooks';
import { consumeBacklog } from './scenarios/consume.js';
import { endToEnd } from './scenarios/end-to-end.js';
import { enqueueBulk } from './scenarios/enqueue-bulk.js';
import { enqueueSingle } from './scenarios/enqueue-single.js';
import { latency } from './scenarios/latency.js';
import type { Latency, Measurement, Rate } from './scenarios/measurement.js';
import type { BenchQueue, QueueSystem, SystemFacts, SystemRun } from './types.js';
import { since } from './workload.js';
import { type Conditions, quietConditions } from './machine.js';

/** Before each system's run, wait until other work uses less than this share of the CPUs… */
const QUIET_CPU = 0.15;
/** …but not longer than this, ms. */
const QUIET_WAIT_MS = 60_000;

/** The workload; defaults are the full run. */
export interface QueueBenchOptions {
  runs: number;
  /** Messages per phase (single adds with 10 in flight, bulk enqueue, consume, end to end). */
  messages: number;
  /** Messages for the strictly sequential single adds (1 in flight). */
  sequentialMessages: number;
  concurrency: number;
  latencySamples: number;
  latencyWarmup: number;
  /** Longest any one phase may run before it is cut short (reported as capped), s. */
  capSeconds: number;
  /** Phases to run (consume always runs after a bulk enqueue, which makes its backlog). */
  phases: readonly Metric[];
}

export const DEFAULT_OPTIONS: QueueBenchOptions = {
  runs: 3,
  messages: 20_000,
  sequentialMessages: 2_000,
  concurrency: 10,
  latencySamples: 500,
  latencyWarmup: 20,
  capSeconds: 60,
  phases: ['single1', 'single10', 'bulk', 'consume', 'e2e', 'latency'],
};

/** True when `a` is the same workload as `b`. */
export function sameOptions(a: QueueBenchOptions, b: QueueBenchOptions): boolean {
  return (Object.keys(b) as (keyof QueueBenchOptions)[]).every(
    (k) => JSON.stringify(a[k]) === JSON.stringify(b[k]),
  );
}

/** The measured phases, in the order they run. */
export const METRICS = ['single1', 'single10', 'bulk', 'consume', 'e2e', 'latency'] as const;
export type Metric = (typeof METRICS)[number];

/** Everything one system produced. */
export interface SystemResult {
  id: string;
  facts?: SystemFacts;
  /** Why the system was skipped. */
  skipped?: string;
  measurements: Partial<Record<Metric, Measurement[]>>;
  errors: string[];
  /** Wall-clock seconds spent on this system over all runs. */
  seconds: number;
  /** Runs made of this system (fewer than the others when it declares maxRuns). */
  runs: number;
  /** The per-phase cap used for this system, s. */
  capSeconds: number;
  /** The machine's state before each run of this system. */
  conditions: Conditions[];
}

export interface QueueBenchResult {
  options: QueueBenchOptions;
  startedAt: Date;
  seconds: number;
  systems: SystemResult[];
}

function describe(m: Measurement): string {
  if (m.kind === 'latency')
    return `p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms (${m.samples} samples${m.capped ? ', capped' : ''})`;
  return `${Math.round(m.perSecond).toLocaleString('en-US')}/s (${m.count} in ${(m.elapsedMs / 1000).toFixed(2)} s${m.capped ? ', CAPPED' : ''})`;
}

/** Runs the queue benchmark: every run goes through every system, so slow drift hits all alike. */
export async function runQueueBench(
  systems: readonly QueueSystem[],
  options: QueueBenchOptions,
  log: (line: string) => void,
): Promise<QueueBenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const results: SystemResult[] = systems.map((s) => ({
    id: s.id,
    measurements: {},
    errors: [],
    seconds: 0,
    runs: 0,
    capSeconds: Math.min(options.capSeconds, s.capSeconds ?? Infinity),
    conditions: [],
  }));

  for (const [i, system] of systems.entries()) {
    try {
      results[i]!.facts = await system.facts();
    } catch (error) {
      results[i]!.skipped = `not available: ${(error as Error).message}`;
      log(`${system.id}: ${results[i]!.skipped}`);
    }
  }

  for (let run = 1; run <= options.runs; run++) {
    for (const [i, system] of systems.entries()) {
      const result = results[i]!;
      if (result.skipped || run > (system.maxRuns ?? Infinity)) continue;
      log(`run ${run}/${options.runs} · ${system.id}`);
      const c = await quietConditions(QUIET_CPU, QUIET_WAIT_MS, log);
      result.conditions.push(c);
      log(
        `  machine   other work ${(c.otherCpu * 100).toFixed(0)}% CPU, fdatasync ${Math.round(c.fdatasyncPerSecond)}/s${c.waitedSeconds > 1 ? `, waited ${Math.round(c.waitedSeconds)} s` : ''}`,
      );
      const started = performance.now();
      result.runs++;
      let opened: SystemRun;
      try {
        const openStart = performance.now();
        opened = await system.open(run);
        log(`  open      ${(since(openStart) / 1000).toFixed(2)} s`);
      } catch (error) {
        result.errors.push(`run ${run}: open: ${(error as Error).message}`);
        log(`  open failed: ${(error as Error).message}`);
        if (run === 1) result.skipped = `not available: ${(error as Error).message}`;
        continue;
      }
      try {
        await runPhases(
          opened,
          { ...options, capSeconds: result.capSeconds },
          (metric, m) => {
            (result.measurements[metric] ??= []).push(m);
            log(`  ${metric.padEnd(9)} ${describe(m)}`);
          },
          (metric, error) => {
            result.errors.push(`run ${run}: ${metric}: ${(error as Error).message}`);
            log(`  ${metric.padEnd(9)} FAILED: ${(error as Error).message}`);
          },
          (metric, seconds) => {
            if (seconds > 5) log(`  ${metric.padEnd(9)} phase took ${seconds.toFixed(1)} s in all`);
          },
        );
      } finally {
        const closeStart = performance.now();
        await opened
          .close()
          .catch((error: unknown) => log(`  close failed: ${(error as Error).message}`));
        log(`  close     ${(since(closeStart) / 1000).toFixed(2)} s`);
        result.seconds += since(started) / 1000;
      }
    }
  }
  return { options, startedAt, seconds: since(t0) / 1000, systems: results };
}

async function runPhases(
  run: SystemRun,
  o: QueueBenchOptions,
  record: (metric: Metric, m: Measurement) => void,
  fail: (metric: Metric, error: unknown) => void,
  phaseSeconds: (metric: Metric, seconds: number) => void,
): Promise<void> {
  const cap = o.capSeconds * 1000;
  const want = (m: Metric): boolean => o.phases.includes(m);
  const phase = async (metric: Metric, body: (q: BenchQueue) => Promise<void>): Promise<void> => {
    if (!want(metric) && !(metric === 'bulk' && want('consume'))) return;
    let q: BenchQueue | undefined;
    const started = performance.now();
    try {
      q = await run.queue(metric);
      await body(q);
    } catch (error) {
      fail(metric, error);
    } finally {
      await q?.dispose().catch(() => undefined);
      phaseSeconds(metric, since(started) / 1000);
    }
  };
  await phase('single1', async (q) =>
    record('single1', await enqueueSingle(q, o.sequentialMessages, 1, cap)),
  );
  await phase('single10', async (q) =>
    record('single10', await enqueueSingle(q, o.messages, 10, cap)),
  );
  await phase('bulk', async (q) => {
    const bulk = await enqueueBulk(q, o.messages);
    if (want('bulk')) record('bulk', bulk);
    if (!want('consume')) return;
    // The bulk phase leaves the backlog the consume phase drains.
    const waiting = await q.remaining();
    if (waiting !== o.messages)
      throw new Error(`expected ${o.messages} waiting before consume, the store says ${waiting}`);
    let consumed: Rate;
    try {
      consumed = await consumeBacklog(q, o.messages, o.concurrency, cap);
    } catch (error) {
      fail('consume', error);
      return;
    }
    record('consume', consumed);
  });
  await phase('e2e', async (q) => record('e2e', await endToEnd(q, o.messages, o.concurrency, cap)));
  await phase('latency', async (q) => {
    const l: Latency = await latency(q, o.latencySamples, o.latencyWarmup, o.concurrency, cap);
    record('latency', l);
  });
}
