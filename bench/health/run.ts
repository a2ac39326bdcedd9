/**
 * The health benchmark: a constant-work monitor (its own process) probing a fake fleet (another
 * process) through scenarios of 0 %, 50 %, 100 % failing, 100 % hanging, flapping and a detection
 * test, one tick report per interval.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../queue/versions.js';
import type { MonitorChildOptions, TickReport } from './monitor-child.js';

export interface HealthBenchOptions {
  endpoints: number;
  /** Measured ticks per scenario. */
  ticks: number;
  /** Unmeasured ticks at the start of each scenario (hysteresis settles, connections open). */
  warmup: number;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP listeners of the fake fleet. */
  listeners: number;
  /** Probes connect afresh every time (the default, `reuseConnections: false`), or reuse keep-alive connections (`--reuse`). */
  reuseConnections: boolean;
}

export const DEFAULT_OPTIONS: HealthBenchOptions = {
  endpoints: 10_000,
  ticks: 10,
  warmup: 3,
  intervalMs: 1000,
  timeoutMs: 250,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  listeners: 8,
  reuseConnections: false,
};

/** A smoke run: 1,000 endpoints, 3 measured ticks per scenario. */
export const QUICK_OPTIONS: HealthBenchOptions = { ...DEFAULT_OPTIONS, endpoints: 1000, ticks: 3 };

export const isDefault = (o: HealthBenchOptions): boolean =>
  (Object.keys(DEFAULT_OPTIONS) as (keyof HealthBenchOptions)[]).every(
    (k) => o[k] === DEFAULT_OPTIONS[k],
  );

/** One measured tick: the monitor's report and what the fleet saw meanwhile. */
export interface TickRecord extends Omit<TickReport, 'type'> {
  /** Connections the fleet accepted and requests it received since the last tick. */
  fleetConnections: number;
  fleetRequests: number;
}

export interface ScenarioResult {
  id: string;
  label: string;
  ticks: TickRecord[];
}

export interface DetectionResult {
  /** Endpoints switched from ok to failing at a tick boundary. */
  switched: number;
  /** Per tick after the switch: how many of them the snapshot showed unhealthy. */
  unhealthyByTick: number[];
  /** Ticks until the snapshot showed all of them unhealthy (undefined: not within the ticks watched). */
  ticksToAll: number | undefined;
}

export interface HealthBenchResult {
  startedAt: Date;
  seconds: number;
  options: HealthBenchOptions;
  /** The monitor's probe pool (sized for every probe running to its timeout). */
  concurrency: number;
  scenarios: ScenarioResult[];
  detection: DetectionResult;
}

/** Unmeasured ticks after the monitor starts, before the first scenario's own warm-up. */
export const STARTUP_TICKS = 5;

/** Failure kinds, a third each: endpoint i fails as KINDS[i % 3]. */
const KINDS = ['r', 'e', 'h'] as const;
const failing = (i: number): string => KINDS[i % 3]!;

interface Scenario {
  id: string;
  label: string;
  /** The fleet's plan for the k-th tick of the scenario. */
  plan: (k: number) => string;
}

function planOf(n: number, behaviour: (i: number) => string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += behaviour(i);
  return s;
}

function scenarios(n: number): Scenario[] {
  const allOk = planOf(n, () => 'o');
  const half = planOf(n, (i) => (i % 2 === 0 ? failing(i) : 'o'));
  const all = planOf(n, failing);
  const hang = planOf(n, () => 'h');
  const error = planOf(n, () => 'e');
  const refuse = planOf(n, () => 'r');
  // Flapping: every endpoint inverts each tick; half start ok, half failing.
  const flapA = half;
  const flapB = planOf(n, (i) => (i % 2 === 0 ? 'o' : failing(i)));
  return [
    { id: 'ok', label: '0 % failing', plan: () => allOk },
    { id: 'half', label: '50 % failing (⅓ refused, ⅓ 500, ⅓ hang)', plan: () => half },
    { id: 'all', label: '100 % failing (⅓ refused, ⅓ 500, ⅓ hang)', plan: () => all },
    { id: 'hang', label: '100 % hanging to the timeout', plan: () => hang },
    { id: 'error', label: '100 % answering 500', plan: () => error },
    { id: 'refuse', label: '100 % refusing (connection destroyed)', plan: () => refuse },
    {
      id: 'flap',
      label: 'flapping (every endpoint inverts each tick)',
      plan: (k) => (k % 2 === 0 ? flapA : flapB),
    },
    { id: 'ok-again', label: '0 % failing, again after the others', plan: () => allOk },
  ];
}

/** A forked child that answers `{ id, … }` requests with `{ reply: id, … }` and pushes other messages. */
class Child {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (m: Record<string, unknown>) => void>();
  #next = 1;
  #stderr = '';
  readonly pushed: ((m: Record<string, unknown>) => void)[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    // Only the end of stderr is kept (for the error message when the child fails to start).
    child.stderr!.on(
      'data',
      (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)),
    );
    child.on('message', (m: Record<string, unknown>) => {
      const resolve = typeof m.reply === 'number' ? this.#waiting.get(m.reply) : undefined;
      if (resolve) {
        this.#waiting.delete(m.reply as number);
        resolve(m);
      } else for (const f of this.pushed) f(m);
    });
  }

  /** Forks `file` with tsx and resolves with its first message (its "ready"). */
  static async start(
    file: string,
    args: string[],
  ): Promise<{ child: Child; ready: Record<string, unknown> }> {
    const proc = fork(join(ROOT, 'bench', 'health', file), args, {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const child = new Child(proc);
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${file} did not start within 30 s: ${child.#stderr.trim()}`)),
        30_000,
      );
      proc.once('message', (m: Record<string, unknown>) => {
        clearTimeout(timer);
        resolve(m);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${file} exited with ${code}: ${child.#stderr.trim().split('\n').slice(0, 5).join(' | ')}`,
          ),
        );
      });
    });
    return { child, ready };
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ ...message, id });
    });
  }

  /** Asks the child to stop and waits for it to exit (killed after 10 s). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.send('stop');
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
}

export async function runHealthBench(
  o: HealthBenchOptions,
  log: (line: string) => void,
): Promise<HealthBenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const n = o.endpoints;
  const fleet = await Child.start('fleet.ts', [String(n), String(o.listeners)]);
  const ports = fleet.ready.ports as number[];
  const monitorOptions: MonitorChildOptions = {
    endpoints: n,
    ports,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
    healthyThreshold: o.healthyThreshold,
    unhealthyThreshold: o.unhealthyThreshold,
    reuseConnections: o.reuseConnections,
  };
  const monitor = await Child.start('monitor-child.ts', [JSON.stringify(monitorOptions)]);
  const ticks: TickReport[] = [];
  const waiters: ((t: TickReport) => void)[] = [];
  monitor.child.pushed.push((m) => {
    if (m.type !== 'tick') return;
    const waiter = waiters.shift();
    if (waiter) waiter(m as unknown as TickReport);
    else ticks.push(m as unknown as TickReport);
  });
  // Ticks are taken in order; one that arrived while nobody waited is not lost.
  const nextTick = (): Promise<TickReport> => {
    const t = ticks.shift();
    return t ? Promise.resolve(t) : new Promise((resolve) => waiters.push(resolve));
  };
  let fleetCount = { connections: 0, requests: 0 };
  const countFleet = async (): Promise<{ connections: number; requests: number }> => {
    const c = (await fleet.child.request({ type: 'count' })) as unknown as {
      connections: number;
      requests: number;
    };
    const d = {
      connections: c.connections - fleetCount.connections,
      requests: c.requests - fleetCount.requests,
    };
    fleetCount = c;
    return d;
  };
  let current = '';
  const setPlan = async (plan: string): Promise<void> => {
    if (plan === current) return;
    current = plan;
    await fleet.child.request({ type: 'plan', plan });
  };

  try {
    // Process warm-up (JIT, connections) before the first scenario, all endpoints ok.
    await setPlan(planOf(n, () => 'o'));
    for (let k = 0; k < STARTUP_TICKS; k++) await nextTick();
    const results: ScenarioResult[] = [];
    for (const s of scenarios(n)) {
      // Plans change right after a tick is published: a tick boundary.
      await nextTick();
      await setPlan(s.plan(0));
      await countFleet();
      const measured: TickRecord[] = [];
      for (let k = 1; k <= o.warmup + o.ticks; k++) {
        const tick = await nextTick();
        await setPlan(s.plan(k));
        const seen = await countFleet();
        if (k > o.warmup) {
          const { type: _, ...report } = tick;
          measured.push({
            ...report,
            fleetConnections: seen.connections,
            fleetRequests: seen.requests,
          });
        }
      }
      const cpu = measured.map((t) => t.cpuUs / 1000).sort((a, b) => a - b);
      log(
        `  ${s.label.padEnd(48)} CPU/tick ${cpu[Math.floor(cpu.length / 2)]?.toFixed(0)} ms, probes ${measured.map((t) => t.stats.probesStarted).join(',')}, bytes ${[...new Set(measured.map((t) => t.bytes))].join(',')}, ` +
          `ELD p99 max ${Math.max(...measured.map((t) => t.eldP99Ms)).toFixed(1)} ms, unhealthy ${measured.at(-1)?.unhealthy}`,
      );
      results.push({ id: s.id, label: s.label, ticks: measured });
    }
    const detection = await detect(n, o, {
      nextTick,
      setPlan,
      watch: (mask) => monitor.child.request({ type: 'watch', mask }),
    });
    log(
      `  detection: ${detection.switched} endpoints switched to failing; unhealthy in the snapshot per tick after: ${detection.unhealthyByTick.join(', ')}`,
    );
    return {
      startedAt,
      seconds: (performance.now() - t0) / 1000,
      options: o,
      concurrency: monitor.ready.concurrency as number,
      scenarios: results,
      detection,
    };
  } finally {
    await monitor.child.stop();
    await fleet.child.stop();
  }
}

/** Every 10th endpoint switches from ok to failing (mixed kinds) at a tick boundary; counts ticks until the snapshot shows them all unhealthy. */
async function detect(
  n: number,
  o: HealthBenchOptions,
  io: {
    nextTick: () => Promise<TickReport>;
    setPlan: (plan: string) => Promise<void>;
    watch: (mask: string) => Promise<unknown>;
  },
): Promise<DetectionResult> {
  const chosen = (i: number): boolean => i % 10 === 0;
  await io.watch(planOf(n, (i) => (chosen(i) ? '1' : '0')));
  await io.nextTick();
  await io.setPlan(planOf(n, () => 'o'));
  for (let k = 0; k < o.warmup; k++) await io.nextTick();
  const switched = Math.ceil(n / 10);
  await io.nextTick();
  await io.setPlan(planOf(n, (i) => (chosen(i) ? failing(i) : 'o')));
  const unhealthyByTick: number[] = [];
  const most = o.unhealthyThreshold + 4;
  while (unhealthyByTick.length < most) {
    const t = await io.nextTick();
    unhealthyByTick.push(t.watchedUnhealthy);
    if (t.watchedUnhealthy === switched) break;
  }
  const at = unhealthyByTick.indexOf(switched);
  return { switched, unhealthyByTick, ticksToAll: at < 0 ? undefined : at + 1 };
}
