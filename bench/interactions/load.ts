/**
 * Drives one arm through the phases: an open loop at a fixed arrival rate (request k is due at
 * k / rate seconds, whatever earlier requests are doing), the dependency switched at each phase
 * boundary, and one record per client request.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ROOT } from '../queue/versions.js';
import { type Arm, type Attempt, classify, DependencyError, OUTCOMES } from './arms.js';
import type { DependencyMode, PhaseCounts, PhaseMessage } from './dependency.js';

export interface PhaseSpec {
  id: string;
  label: string;
  mode: DependencyMode;
  seconds: number;
}

/** The dependency's overload settings. */
export interface OverloadSettings {
  capacity: number;
  serviceMs: number;
  queueLimit: number;
}

/** Everything one arm's run recorded; times are ms since the arm's start, request k scheduled at k · 1000 / rate. */
export interface ArmTrace {
  /** Scheduled start of each phase, then the end of the last. */
  boundariesMs: number[];
  /** Per request: its phase (by scheduled time), when it was issued and settled (NaN: never), how it ended (index into OUTCOMES, UNSETTLED if never), attempts it made. */
  phase: Uint8Array;
  issuedMs: Float64Array;
  settledMs: Float64Array;
  outcome: Uint8Array;
  attempts: Uint8Array;
  /** Arrivals and answers counted by the dependency, per phase (by the phase current at arrival). */
  server: PhaseCounts[];
  /** The arm's own counters at each boundary (cumulative; empty when the arm keeps none). */
  stats: Record<string, number>[];
  /** The client process's event-loop delay per phase (p99 and max, ms; 0 = on time): high values mean the clients themselves were late. */
  eldP99Ms: number[];
  eldMaxMs: number[];
  /** ms from the end of the last phase until every request had settled. */
  drainMs: number;
  /** Requests still unsettled when the drain gave up. */
  unsettled: number;
}

export interface Dependency {
  port: number;
  setPhase(m: Omit<PhaseMessage, 'type'>): void;
  counts(): Promise<Record<string, PhaseCounts>>;
  stop(): Promise<void>;
}

/** Forks the dependency server (bench/interactions/dependency.ts) and waits until it listens. */
export async function startDependency(): Promise<Dependency> {
  const child: ChildProcess = fork(join(ROOT, 'bench', 'interactions', 'dependency.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const first = await Promise.race([
    once(child, 'message') as Promise<[{ port: number }]>,
    once(child, 'exit').then(([code]) =>
      Promise.reject(new Error(`the dependency server exited with ${code}: ${stderr.trim()}`)),
    ),
  ]);
  const replies = new Map<number, (counts: Record<string, PhaseCounts>) => void>();
  child.on('message', (m: { reply?: number; counts?: Record<string, PhaseCounts> }) => {
    if (m.reply !== undefined) replies.get(m.reply)?.(m.counts ?? {});
  });
  let seq = 0;
  return {
    port: first[0].port,
    setPhase: (m) => child.send({ type: 'phase', ...m }),
    counts: () =>
      new Promise((resolve) => {
        const n = ++seq;
        replies.set(n, (c) => {
          replies.delete(n);
          resolve(c);
        });
        child.send({ type: 'counts', seq: n });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      // The dependency exits when its IPC channel closes; killed if it has not within 10 s.
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
      clearTimeout(kill);
    },
  };
}

/** One GET to the dependency over a keep-alive agent: resolves on 2xx–4xx, rejects with `DependencyError` on 5xx, or with the abort. */
function caller(port: number, agent: Agent): Attempt {
  return (signal) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent, signal }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 500) reject(new DependencyError(status));
        else resolve();
      });
      req.on('error', reject);
      req.end();
    });
}

const TICK_MS = 2;
/** `outcome` of a request that never settled. */
export const UNSETTLED = 255;
const DRAIN_LIMIT_MS = 30_000;
const ELD_RESOLUTION_MS = 10;

/** Runs `arm` through `phases` at `rate` client requests per second against `dep`; phase ids are prefixed with `tag`. */
export async function drive(
  arm: Arm,
  phases: readonly PhaseSpec[],
  rate: number,
  overload: OverloadSettings,
  dep: Dependency,
  tag: string,
): Promise<ArmTrace> {
  const boundariesMs = [0];
  for (const p of phases) boundariesMs.push(boundariesMs.at(-1)! + p.seconds * 1000);
  const endMs = boundariesMs.at(-1)!;
  const total = Math.floor((endMs * rate) / 1000);
  const trace: ArmTrace = {
    boundariesMs,
    phase: new Uint8Array(total),
    issuedMs: new Float64Array(total),
    settledMs: new Float64Array(total).fill(Number.NaN),
    outcome: new Uint8Array(total).fill(UNSETTLED),
    attempts: new Uint8Array(total),
    server: [],
    stats: [],
    eldP99Ms: [],
    eldMaxMs: [],
    drainMs: 0,
    unsettled: 0,
  };
  const agent = new Agent({ keepAlive: true });
  const call = caller(dep.port, agent);
  let inFlight = 0;
  let issued = 0;
  let current = -1;
  const t0 = performance.now();

  const issue = (k: number, phase: number): void => {
    let attempts = 0;
    const attempt: Attempt = (signal) => {
      attempts++;
      return call(signal);
    };
    trace.phase[k] = phase;
    trace.issuedMs[k] = performance.now() - t0;
    inFlight++;
    const settle = (outcome: number): void => {
      trace.settledMs[k] = performance.now() - t0;
      trace.outcome[k] = outcome;
      trace.attempts[k] = attempts;
      inFlight--;
    };
    arm.call(attempt).then(
      () => settle(0),
      (error: unknown) => settle(OUTCOMES.indexOf(classify(error))),
    );
  };

  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const closeEld = (): void => {
    // The histogram holds the intervals between runs of a 10 ms timer: 10 ms is taken off.
    trace.eldP99Ms.push(Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS));
    trace.eldMaxMs.push(Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS));
    eld.reset();
  };
  const enter = (i: number): void => {
    const p = phases[i]!;
    if (i > 0) closeEld();
    else eld.enable();
    trace.stats.push(arm.stats?.() ?? {});
    dep.setPhase({
      id: `${tag}:${p.id}`,
      mode: p.mode,
      ...(p.mode === 'overload' ? overload : {}),
    });
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now() - t0;
      // Requests go out in schedule order, each after its phase's switch and before the next one.
      const due = Math.min(total, Math.floor((now * rate) / 1000) + 1);
      while (issued < due) {
        const scheduled = (issued * 1000) / rate;
        while (current + 1 < phases.length && scheduled >= boundariesMs[current + 1]!)
          enter(++current);
        issue(issued++, current);
      }
      while (current + 1 < phases.length && now >= boundariesMs[current + 1]!) enter(++current);
      if (issued >= total && now >= endMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  closeEld();
  eld.disable();
  const drainStart = performance.now();
  while (inFlight > 0 && performance.now() - drainStart < DRAIN_LIMIT_MS)
    await new Promise((r) => setTimeout(r, 5));
  trace.drainMs = performance.now() - drainStart;
  trace.unsettled = inFlight;
  trace.stats.push(arm.stats?.() ?? {});
  const counts = await dep.counts();
  const empty: PhaseCounts = { arrived: 0, ok: 0, rejected: 0, queued: 0, hung: 0 };
  trace.server = phases.map((p) => counts[`${tag}:${p.id}`] ?? empty);
  agent.destroy();
  return trace;
}
