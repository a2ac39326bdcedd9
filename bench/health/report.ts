/** The health section of docs/benchmarks.md (and the targets printed at the end of a run). */
import type { MachineFacts } from '../queue/machine.js';
import { median, percentile } from '../queue/workload.js';
import {
  type HealthBenchResult,
  isDefault,
  type ScenarioResult,
  STARTUP_TICKS,
  type TickRecord,
} from './run.js';

const CPU_RATIO = 1.1;
const ELD_P99_MS = 50;

const num = (n: number): string =>
  !Number.isFinite(n)
    ? '—'
    : Number.isInteger(n) || Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : n.toFixed(2);

/** "median [p99]" over the measured ticks (with 10 ticks, p99 by nearest rank is the largest). */
function mp(ticks: readonly TickRecord[], f: (t: TickRecord) => number): string {
  const v = ticks.map(f);
  return `${num(median(v))} [${num(percentile(v, 99))}]`;
}

/** Every value of `f` over the ticks, as "x" when all are equal, else "min–max". */
function range(ticks: readonly TickRecord[], f: (t: TickRecord) => number): string {
  const v = ticks.map(f);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi
    ? lo.toLocaleString('en-US')
    : `${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`;
}

const cpuMs = (t: TickRecord): number => t.cpuUs / 1000;
const scenario = (r: HealthBenchResult, id: string): ScenarioResult | undefined =>
  r.scenarios.find((s) => s.id === id);
const cpuMedian = (s: ScenarioResult | undefined): number =>
  s ? median(s.ticks.map(cpuMs)) : Number.NaN;
/** The CPU baseline: the median over the ticks of both 0 % runs (before and after the failing scenarios). */
const baseline = (r: HealthBenchResult): number =>
  median(
    r.scenarios
      .filter((s) => s.id === 'ok' || s.id === 'ok-again')
      .flatMap((s) => s.ticks.map(cpuMs)),
  );

export interface Target {
  name: string;
  measured: string;
  ok: boolean | undefined;
}

export function targets(r: HealthBenchResult): Target[] {
  const all = r.scenarios.flatMap((s) => s.ticks);
  const out: Target[] = [];
  const bytes = new Set(all.map((t) => t.bytes));
  out.push({
    name: 'identical snapshot bytes in every scenario',
    measured: `${[...bytes].join(', ')} bytes over ${all.length} ticks`,
    ok: bytes.size === 1,
  });
  const probes = new Set(all.map((t) => t.stats.probesStarted));
  const skipped = all.reduce((a, t) => a + t.stats.skipped, 0);
  out.push({
    name: 'identical probe counts in every scenario',
    measured: `probes started per tick: ${range(all, (t) => t.stats.probesStarted)} of ${r.options.endpoints.toLocaleString('en-US')} endpoints; skipped (pool full): ${skipped.toLocaleString('en-US')} over ${all.length} ticks`,
    ok: probes.size === 1 && probes.has(r.options.endpoints) && skipped === 0,
  });
  const base = baseline(r);
  for (const [id, what] of [
    ['all', '100 % failing (mixed)'],
    ['hang', '100 % hanging'],
    ['flap', 'flapping'],
  ] as const) {
    const x = cpuMedian(scenario(r, id));
    out.push({
      name: `CPU per tick ${what} ≤ ${CPU_RATIO}× 0 %`,
      measured: `${num(x)} ms vs ${num(base)} ms = **${(x / base).toFixed(2)}×** (medians; 0 % = both 0 % runs)`,
      ok: Number.isFinite(x) && Number.isFinite(base) ? x / base <= CPU_RATIO : undefined,
    });
  }
  const worst = r.scenarios
    .map((s) => ({ s, p99: Math.max(...s.ticks.map((t) => t.eldP99Ms)) }))
    .sort((a, b) => b.p99 - a.p99)[0];
  out.push({
    name: `event-loop delay p99 < ${ELD_P99_MS} ms`,
    measured: worst ? `worst tick's p99: ${num(worst.p99)} ms (${worst.s.label})` : 'not measured',
    ok: worst ? worst.p99 < ELD_P99_MS : undefined,
  });
  const d = r.detection;
  const limit = r.options.unhealthyThreshold + 1;
  out.push({
    name: `a change shows in the snapshot within unhealthyThreshold + 1 = ${limit} ticks`,
    measured:
      d.ticksToAll === undefined
        ? `not all ${d.switched} within ${d.unhealthyByTick.length} ticks (${d.unhealthyByTick.join(', ')})`
        : `all ${d.switched} switched endpoints unhealthy after **${d.ticksToAll}** tick${d.ticksToAll === 1 ? '' : 's'} (per tick: ${d.unhealthyByTick.join(', ')})`,
    ok: d.ticksToAll === undefined ? false : d.ticksToAll <= limit,
  });
  return out;
}

const verdict = (ok: boolean | undefined): string =>
  ok === undefined ? 'not measured' : ok ? 'met' : 'missed';

/** One line per target, for the terminal (bold marks dropped). */
export const textTargets = (r: HealthBenchResult): string =>
  targets(r)
    .map(
      (t) =>
        `${verdict(t.ok).toUpperCase().padEnd(12)} ${t.name}: ${t.measured.replace(/\*\*/g, '')}`,
    )
    .join('\n');

export function markdown(
  r: HealthBenchResult,
  machine: MachineFacts,
  command: string,
  source: string,
  ballast: string,
): string {
  const o = r.options;
  const lines: string[] = [];
  const p = (...l: string[]): void => void lines.push(...l);
  const base = baseline(r);
  p('## Health (constant work)', '');
  p(
    `Generated by \`${command}\` on ${r.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; the whole run took ${Math.round(r.seconds)} s. ` +
      `Per scenario: ${o.warmup} warm-up ticks, then **${o.ticks} measured ticks**; figures are **median [p99]** over the measured ticks (p99 by nearest rank: with ${o.ticks} ticks, the largest).`,
    '',
  );
  if (!isDefault(o))
    p(
      '> **Quick or partial run**: not the full workload (see the parameters below). Run `npm run bench -- health` for the full one.',
      '',
    );
  p(`Code measured: ${source}.`, '');
  p('### Machine and parameters', '');
  p(
    `- ${machine.nproc} vCPU (\`${machine.cpuModel}\`), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; load average at start ${machine.loadAverage}. **The fake fleet, the monitor and the benchmark driver share these ${machine.nproc} cores.**`,
    `- Ballast ${ballast} (from \`src/\` via tsx): \`HealthMonitor\` with \`probeFor\` + \`createProbeAgents\` (keep-alive agent) over **${o.endpoints.toLocaleString('en-US')} HTTP endpoints**, interval ${o.intervalMs} ms, timeout ${o.timeoutMs} ms, healthy threshold ${o.healthyThreshold}, unhealthy threshold ${o.unhealthyThreshold}, 100 scheduling slots per interval, probe pool ${r.concurrency.toLocaleString('en-US')} (the default: sized for every probe running to its timeout).`,
    `- Fake fleet (\`bench/health/fleet.ts\`, its own process): ${o.listeners} \`node:http\` listeners on 127.0.0.1; endpoint i is \`/ep/<i>\` on listener i mod ${o.listeners}. Behaviours: ok (200 "ok"), 500, hang (never answers; the monitor's timeout aborts the probe), refuse (the server destroys the connection at once — it stands for a refused connection: a true ECONNREFUSED per endpoint would need a port per endpoint). "Mixed" failing endpoints fail a third each as refuse, 500 and hang (by i mod 3).`,
    '',
  );

  p('### Per scenario (the monitor process)', '');
  p(
    '| scenario | snapshot bytes | probes started / tick | ok / failed / timed out (median) | skipped | new connections / tick (seen by the fleet) | CPU ms / tick | ÷ 0 % (both runs) | event-loop delay p99, ms | heap used, MB | publication lag, ms | process warnings / tick |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of r.scenarios) {
    const t = s.ticks;
    const m = (f: (x: TickRecord) => number): string => num(median(t.map(f)));
    p(
      `| ${s.label} | ${range(t, (x) => x.bytes)} | ${range(t, (x) => x.stats.probesStarted)} | ${m((x) => x.stats.probesOk)} / ${m((x) => x.stats.probesFailed)} / ${m((x) => x.stats.timeouts)} | ${range(t, (x) => x.stats.skipped)} | ${mp(t, (x) => x.fleetConnections)} | ${mp(t, cpuMs)} | ${(median(t.map(cpuMs)) / base).toFixed(2)}× | ${mp(t, (x) => x.eldP99Ms)} | ${mp(t, (x) => x.heapUsedBytes / 2 ** 20)} | ${mp(t, (x) => x.stats.lagMs)} | ${mp(t, (x) => x.warnings)} |`,
    );
  }
  p('');

  p('### The naive designs, from the same probe results', '');
  p(
    'What each tick would publish if the monitor sent (a) a JSON list of the ids whose last probe failed (`JSON.stringify(["ep-17", …])`) or (b) a JSON delta of the probe results since the last tick (`JSON.stringify({ changed: [["ep-17", "unhealthy"], …] })`), next to the binary snapshot. Encode time: the synchronous work alone (building the array and `JSON.stringify`, or `encodeSnapshot` called once more), timed with `performance.now()` in the monitor process after its CPU reading for the tick, so it is not in the CPU figures above.',
    '',
    '| scenario | snapshot bytes | snapshot encode µs | (a) unhealthy list bytes | (a) encode µs | (b) delta bytes | (b) encode µs |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of r.scenarios) {
    const t = s.ticks;
    p(
      `| ${s.label} | ${range(t, (x) => x.bytes)} | ${mp(t, (x) => x.snapshotEncodeUs)} | ${mp(t, (x) => x.listBytes)} | ${mp(t, (x) => x.listEncodeUs)} | ${mp(t, (x) => x.deltaBytes)} | ${mp(t, (x) => x.deltaEncodeUs)} |`,
    );
  }
  p(
    '',
    'The naive designs are fed the raw probe results (no hysteresis: a naive design publishes what its probes say). With hysteresis the snapshot does not change under one-tick flapping (two failures in a row are needed), which is itself part of the constant-work design; a naive delta of raw results is largest exactly then.',
    '',
  );

  p('### Targets', '', '| target | measured | verdict |', '|---|---|---|');
  for (const t of targets(r)) p(`| ${t.name} | ${t.measured} | **${verdict(t.ok)}** |`);
  p('');

  p('### Method', '');
  p(
    "- Three processes: the benchmark driver, the fake fleet and the monitor (`bench/health/monitor-child.ts`), all on the same cores. **CPU is the monitor process's own** (`process.cpuUsage()`, user + system, from the end of one tick's bookkeeping to the publication of the next), so it includes its probes' HTTP client work, the kernel's share of its sockets, the scheduler, hysteresis and the snapshot encode, and excludes the fleet's work. The fleet competing for the same 2 cores can still slow the monitor (and inflate its event-loop delay).",
    '- Event-loop delay: `perf_hooks.monitorEventLoopDelay({ resolution: 10 })` in the monitor process, reset every tick; it records the interval between runs of its 10 ms timer, so 10 ms is taken off (0 = on time). Heap: `process.memoryUsage().heapUsed` at publication. Publication lag: `TickStats.lagMs`.',
    `- The monitor runs ${STARTUP_TICKS} unmeasured ticks (all ok) after it starts, then the scenarios in the order shown, on one process. The CPU baseline ("0 %") is the median over the ticks of both 0 % runs, before and after the failing scenarios; their difference shows the drift and noise of the machine.`,
    "- Within the run, the fleet's plan changes right after a tick is published (the monitor tells the driver over IPC), and the warm-up ticks let hysteresis settle before measuring. Flapping: the driver inverts every endpoint at every tick boundary (half start ok, half failing, failing ones mixed). The probes of the first scheduling slot start before a change reaches the fleet, so they see it one tick late (still one inversion per tick).",
    `- Detection: from all ok, every 10th endpoint (${r.detection.switched.toLocaleString('en-US')}, mixed failure kinds) turns failing at a tick boundary; the table counts ticks published after the switch until the snapshot shows all of them unhealthy.`,
    '- Counting raw probe results for the naive designs wraps each probe in one extra `.then` (in every scenario alike).',
    '- "Process warnings / tick" counts the monitor process\'s `warning` events (e.g. `MaxListenersExceededWarning`); every probe of a slot listens on that slot\'s one abort signal, which has no listener cap, so none are expected.',
    `- "New connections / tick" is counted by the fleet's listeners. ${o.reuseConnections ? 'Probes reuse keep-alive connections: an ok probe and a complete failing answer (500) keep theirs; a refused or hung probe has none to keep (a hung one is destroyed at the timeout, so a pooled connection never hides a dead server), and the next probe of that endpoint connects afresh.' : 'Every probe opens a new connection (`reuseConnections: false`, `Connection: close`), ok or failing: the same connection work in every scenario.'}`,
    '',
  );
  return lines.join('\n');
}
