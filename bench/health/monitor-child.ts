/**
 * The monitor of the health benchmark, in its own process (forked with an IPC channel), so its CPU
 * time, event-loop delay and heap are its own: `HealthMonitor` with `probeFor` + `createProbeAgents`
 * over the fake fleet's endpoints. After every tick it sends a `TickReport` to the parent.
 *
 * Usage: `node --import tsx bench/health/monitor-child.ts '<MonitorChildOptions as JSON>'`.
 * Sends `{ ready: true }` once started; answers `{ id, type: 'watch', mask }` (a '0'/'1' character
 * per endpoint: which endpoints `watchedUnhealthy` counts) with `{ reply: id }`; exits on 'stop'.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { HealthMonitor, type MonitoredEndpoint, type TickStats } from '../../src/health/monitor.js';
import { createProbeAgents, probeFor } from '../../src/health/probes.js';
import { encodeSnapshot } from '../../src/health/snapshot.js';
import { HEALTHY, UNHEALTHY } from '../../src/health/hysteresis.js';
import type { Probe } from '../../src/health/types.js';

export interface MonitorChildOptions {
  endpoints: number;
  ports: number[];
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Keep-alive connections (`createProbeAgents`), or a new connection per probe. */
  reuseConnections: boolean;
}

/** What the monitor child measured over one tick. */
export interface TickReport {
  type: 'tick';
  stats: TickStats;
  /** The snapshot's length, bytes. */
  bytes: number;
  /** Snapshot states at publication. */
  healthy: number;
  unhealthy: number;
  unknown: number;
  /** Watched endpoints (see 'watch') the snapshot shows unhealthy. */
  watchedUnhealthy: number;
  /** The monitor process's CPU time (user + system) since the end of the last report, µs (excludes the naive encodings below). */
  cpuUs: number;
  /** Event-loop delay over the tick, ms (p99 and max): how late `monitorEventLoopDelay`'s 10 ms timer ran (it records the whole interval, so 10 ms is taken off). */
  eldP99Ms: number;
  eldMaxMs: number;
  heapUsedBytes: number;
  /** Process warnings the monitor emitted during the tick (e.g. MaxListenersExceededWarning). */
  warnings: number;
  /** Encoding the snapshot again, µs (the monitor encodes it once per tick; this times the same call alone). */
  snapshotEncodeUs: number;
  /** Naive design (a): the JSON list of endpoints whose last probe failed. */
  listBytes: number;
  listEncodeUs: number;
  /** Naive design (b): the JSON delta of probe results since the last tick. */
  deltaBytes: number;
  deltaEncodeUs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as MonitorChildOptions;
if (!process.send || !(options.endpoints > 0)) {
  console.error('usage (forked with IPC): monitor-child.ts <options JSON>');
  process.exit(2);
}
const n = options.endpoints;
const ids = Array.from({ length: n }, (_, i) => `ep-${i}`);

// The raw probe results the naive designs publish (1 ok, 2 failed, 0 none yet): the last result
// recorded before each tick's publication. Recording them is one extra `.then` per probe.
const results = new Uint8Array(n);
const previous = new Uint8Array(n);
let watch = new Uint8Array(n);

const agents = options.reuseConnections ? createProbeAgents() : undefined;
const endpoints: MonitoredEndpoint[] = ids.map((id, i) => {
  const probe: Probe = probeFor(
    { id, url: `http://127.0.0.1:${options.ports[i % options.ports.length]}/ep/${i}` },
    agents,
  );
  return {
    id,
    probe: (signal) =>
      probe(signal).then((r) => {
        results[i] = r.ok ? 1 : 2;
        return r;
      }),
  };
});

const monitor = new HealthMonitor({
  intervalMs: options.intervalMs,
  timeoutMs: options.timeoutMs,
  healthyThreshold: options.healthyThreshold,
  unhealthyThreshold: options.unhealthyThreshold,
  monitorId: 'bench-health',
  endpoints,
});

const ELD_RESOLUTION_MS = 10;
const delay = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
delay.enable();
let cpuMark = process.cpuUsage();
let warnings = 0;
process.on('warning', () => warnings++);

/** Synchronous work timed with `performance.now()`, µs (one thread, no awaits: ≈ its CPU time). */
function timed<T>(work: () => T): { value: T; us: number } {
  const t0 = performance.now();
  const value = work();
  return { value, us: (performance.now() - t0) * 1000 };
}

monitor.subscribe((bytes, snapshot, stats) => {
  // The monitor's own work ends here: read its CPU, event-loop delay and heap first.
  const cpu = process.cpuUsage(cpuMark);
  const eldP99Ms = Math.max(0, delay.percentile(99) / 1e6 - ELD_RESOLUTION_MS);
  const eldMaxMs = Math.max(0, delay.max / 1e6 - ELD_RESOLUTION_MS);
  const heapUsedBytes = process.memoryUsage().heapUsed;

  let healthy = 0;
  let unhealthy = 0;
  let watchedUnhealthy = 0;
  const states = snapshot.states;
  for (let i = 0; i < n; i++) {
    if (states[i] === HEALTHY) healthy++;
    else if (states[i] === UNHEALTHY) {
      unhealthy++;
      watchedUnhealthy += watch[i]!;
    }
  }
  const again = timed(() => encodeSnapshot(snapshot));
  const list = timed(() => {
    const down: string[] = [];
    for (let i = 0; i < n; i++) if (results[i] === 2) down.push(ids[i]!);
    return Buffer.byteLength(JSON.stringify(down));
  });
  const delta = timed(() => {
    const changed: [string, string][] = [];
    for (let i = 0; i < n; i++)
      if (results[i] !== previous[i])
        changed.push([ids[i]!, results[i] === 1 ? 'healthy' : 'unhealthy']);
    return Buffer.byteLength(JSON.stringify({ changed }));
  });
  previous.set(results);

  const report: TickReport = {
    type: 'tick',
    stats,
    bytes: bytes.length,
    healthy,
    unhealthy,
    unknown: n - healthy - unhealthy,
    watchedUnhealthy,
    cpuUs: cpu.user + cpu.system,
    eldP99Ms,
    eldMaxMs,
    heapUsedBytes,
    warnings,
    snapshotEncodeUs: again.value.length > 0 ? again.us : 0,
    listBytes: list.value,
    listEncodeUs: list.us,
    deltaBytes: delta.value,
    deltaEncodeUs: delta.us,
  };
  process.send!(report);
  warnings = 0;
  delay.reset();
  // The next tick's CPU starts after this bookkeeping, so none of it counts as the monitor's.
  cpuMark = process.cpuUsage();
});

process.on('message', (message: { id?: number; type?: string; mask?: string } | 'stop') => {
  if (message === 'stop') {
    void monitor.stop().finally(() => process.exit(0));
    return;
  }
  if (message.type === 'watch' && typeof message.mask === 'string' && message.mask.length === n) {
    watch = Uint8Array.from(message.mask, (c) => (c === '1' ? 1 : 0));
    process.send!({ reply: message.id });
  }
});

monitor.start();
process.send({ ready: true, concurrency: monitor.concurrency });
