/**
 * Benchmarks. `npm run bench -- queue [--systems a,b] [--runs 3] [--messages 20000] …`,
 * `npm run bench -- bus [--quick]`, `npm run bench -- idempotency [--quick]`, `npm run bench -- health [--quick]`,
 * `npm run bench -- interactions [--quick]`, `npm run bench -- interactions-chain [--quick]`, `npm run bench -- interactions-overhead [--quick]`
 * (`npx tsx bench/main.ts <command> --help` lists every option).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type MachineFacts, machineFacts } from './queue/machine.js';
import { markdown, textTable, textTargets } from './queue/report.js';
import { writeSection } from './report-file.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryResult, runDeliveryBench } from './bus/delivery.js';
import { matchReport, runMatchBench } from './bus/match.js';
import { busMarkdown } from './bus/report.js';
import { postgresFacts } from './queue/services.js';
import {
  DEFAULT_OPTIONS,
  METRICS,
  type Metric,
  type QueueBenchOptions,
  runQueueBench,
  sameOptions,
} from './queue/run.js';
import { ALL_SYSTEMS } from './queue/systems/index.js';
import { ballastVersion, packageVersion, ROOT } from './queue/versions.js';
import {
  markdown as idempotencyMarkdown,
  textTargets as idempotencyTargets,
} from './idempotency/report.js';
import { markdown as healthMarkdown, textTargets as healthTargets } from './health/report.js';
import {
  DEFAULT_OPTIONS as HEALTH_DEFAULTS,
  type HealthBenchOptions,
  isDefault as healthIsDefault,
  QUICK_OPTIONS as HEALTH_QUICK,
  runHealthBench,
} from './health/run.js';
import {
  markdown as interactionsMarkdown,
  textTargets as interactionsTargets,
} from './interactions/report.js';
import { INTERACTIONS_HELP, parseInteractionsArgs } from './interactions/cli.js';
import { runInteractionsBench } from './interactions/run.js';
import { CHAIN_DEFAULTS, chainMarkdown, runChainBench } from './interactions/chain.js';
import { overheadMarkdown, runOverheadBench } from './interactions/overhead.js';
import {
  DEFAULT_OPTIONS as IDEM_DEFAULTS,
  type IdempotencyBenchOptions,
  isDefault as idemIsDefault,
  type Part,
  PARTS,
  QUICK_OPTIONS as IDEM_QUICK,
  runIdempotencyBench,
} from './idempotency/run.js';

const HELP = `usage: npm run bench -- queue [options]

  --systems a,b,…        systems to run (default: all): ${ALL_SYSTEMS.map((s) => s.id).join(', ')}
  --runs N               runs of every measurement; the report shows the median [min–max] (default ${DEFAULT_OPTIONS.runs})
  --messages N           messages per phase (default ${DEFAULT_OPTIONS.messages})
  --sequential N         messages for single sends with 1 in flight (default messages / 10)
  --concurrency N        consumer concurrency (default ${DEFAULT_OPTIONS.concurrency})
  --samples N            latency samples after warm-up (default ${DEFAULT_OPTIONS.latencySamples})
  --warmup N             latency warm-up messages (default ${DEFAULT_OPTIONS.latencyWarmup})
  --cap-seconds N        cut any phase short after N s (default ${DEFAULT_OPTIONS.capSeconds})
  --phases a,b,…         phases to run (default all): ${DEFAULT_OPTIONS.phases.join(', ')}
  --out PATH             report path (default docs/benchmarks.md for the full workload,
                         bench/results/queue-quick.md otherwise)
`;

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

/** A hash of every file under src/ (others edit this tree while benchmarks run). */
function srcFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'src'));
  return hash.digest('hex').slice(0, 12);
}

/** The commit measured, and whether src/ had uncommitted changes (others work in this tree). */
function sourceState(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const head = git('log', '-1', '--format=%h');
    const subject = git('log', '-1', '--format=%s');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `commit \`${head}\` (“${subject.length > 70 ? `${subject.slice(0, 70)}…` : subject}”)${dirty > 0 ? ` plus ${dirty} uncommitted changed or new path${dirty === 1 ? '' : 's'} under src/ (the working tree as it was during the run)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function phasesOption(value: string | undefined): Metric[] {
  if (value === undefined) return [...DEFAULT_OPTIONS.phases];
  const phases = value.split(',').map((p) => p.trim()) as Metric[];
  const bad = phases.filter((p) => !METRICS.includes(p));
  if (bad.length > 0)
    throw new Error(`unknown phase(s) ${bad.join(', ')}; known: ${METRICS.join(', ')}`);
  return phases;
}

async function queue(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      systems: { type: 'string' },
      runs: { type: 'string' },
      messages: { type: 'string' },
      sequential: { type: 'string' },
      concurrency: { type: 'string' },
      samples: { type: 'string' },
      warmup: { type: 'string' },
      'cap-seconds': { type: 'string' },
      phases: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const messages = int(values.messages, DEFAULT_OPTIONS.messages, 'messages');
  const options: QueueBenchOptions = {
    runs: int(values.runs, DEFAULT_OPTIONS.runs, 'runs'),
    messages,
    sequentialMessages: int(
      values.sequential,
      Math.max(1, Math.round(messages / 10)),
      'sequential',
    ),
    concurrency: int(values.concurrency, DEFAULT_OPTIONS.concurrency, 'concurrency'),
    latencySamples: int(values.samples, DEFAULT_OPTIONS.latencySamples, 'samples'),
    latencyWarmup: int(values.warmup, DEFAULT_OPTIONS.latencyWarmup, 'warmup'),
    capSeconds: int(values['cap-seconds'], DEFAULT_OPTIONS.capSeconds, 'cap-seconds'),
    phases: phasesOption(values.phases),
  };
  const ids = values.systems
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids?.filter((id) => !ALL_SYSTEMS.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `unknown system(s) ${unknown.join(', ')}; known: ${ALL_SYSTEMS.map((s) => s.id).join(', ')}`,
    );
  const systems = ids ? ALL_SYSTEMS.filter((s) => ids.includes(s.id)) : ALL_SYSTEMS;

  const full = sameOptions(options, DEFAULT_OPTIONS) && !ids;
  const out =
    values.out ??
    (full ? join(ROOT, 'docs', 'benchmarks.md') : join(ROOT, 'bench', 'results', 'queue-quick.md'));

  const source = sourceState();
  const before = srcFingerprint();
  const machine = machineFacts();
  console.log(
    `${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; fdatasync ${Math.round(machine.fdatasyncPerSecond)}/s`,
  );
  console.log(`workload: ${JSON.stringify(options)}`);
  const result = await runQueueBench(systems, options, (line) => console.log(line));

  console.log('');
  console.log(textTable(result));
  console.log('');
  console.log(textTargets(result));

  const command = `npm run bench -- queue${args.length > 0 ? ` ${args.filter((a) => !a.startsWith('--out')).join(' ')}` : ''}`;
  const after = srcFingerprint();
  const changed = before !== after;
  if (changed)
    console.log(
      `\nWARNING: src/ changed during the run (${before} → ${after}): later systems and runs measured newer code.`,
    );
  const sourceNote = `${source}; src/ fingerprint ${before}${
    changed
      ? ` at the start and **${after} at the end: src/ changed during the run**, so later systems and runs measured newer code than earlier ones`
      : ', unchanged during the run'
  }`;
  // Raw measurements: timestamped for the full workload, one overwritten file for quick runs.
  const json = full
    ? join(
        ROOT,
        'bench',
        'results',
        `queue-${result.startedAt.toISOString().slice(0, 19).replace(/[:]/g, '-')}.json`,
      )
    : join(ROOT, 'bench', 'results', 'queue-quick.json');
  mkdirSync(join(json, '..'), { recursive: true });
  writeFileSync(json, JSON.stringify({ machine, source: sourceNote, ...result }, null, 2));
  writeSection(
    out,
    'queue',
    `${markdown(result, machine, command, sourceNote)}\nRaw measurements of this run: \`${relative(ROOT, json)}\`.\n`,
    SECTIONS,
  );
  console.log(`\nwrote ${out} and ${json}`);
}

const BUS_HELP = `usage: npm run bench -- bus [--quick] [--out PATH]

  Pattern matching (events/s on one core: Ballast and JavaScript peers, 1–10,000 rules, every
  operator family) and delivery (putEvents → queue target latency at 1,000 events/s and sustained
  ingest, on SQLite and PostgreSQL). Writes the bus section of docs/benchmarks.md (or --out).
  --quick   fewer rule counts and shorter cells, written to bench/results/bus-quick.md
`;

async function bus(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(BUS_HELP);
    return;
  }
  const quick = values.quick === true;
  const out =
    values.out ??
    (quick ? join(ROOT, 'bench', 'results', 'bus-quick.md') : join(ROOT, 'docs', 'benchmarks.md'));
  const source = sourceState();
  const before = srcFingerprint();
  const machine = machineFacts();
  const startedAt = new Date();
  const t0 = performance.now();
  const match = await runMatchBench({
    ...(quick ? { rules: [10, 1000, 10_000], seconds: 0.3, sample: 300 } : {}),
    log: (line) => console.log(line),
  });
  console.log(matchReport(match));
  const delivery: DeliveryResult[] = [];
  for (const store of ['sqlite', 'postgres'] as const) {
    const d = await runDeliveryBench(
      store,
      quick
        ? { ...DEFAULT_DELIVERY_OPTIONS, seconds: 4, ingestEvents: 10_000 }
        : DEFAULT_DELIVERY_OPTIONS,
    );
    console.log(JSON.stringify(d));
    delivery.push(d);
  }
  const sourceNote = sourceNoteOf(source, before);
  const report = busMarkdown({
    command: `npm run bench -- bus${quick ? ' --quick' : ''}`,
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    source: sourceNote,
    machine: `${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, shared with PostgreSQL and other work (load average at start ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
    versions: {
      ballast: ballastVersion(),
      sift: packageVersion('sift'),
      'json-rules-engine': packageVersion('json-rules-engine'),
      postgresql: (await postgresFacts()).version.split(' ').slice(0, 2).join(' '),
    },
    match,
    delivery,
  });
  const json = join(
    ROOT,
    'bench',
    'results',
    quick
      ? 'bus-quick.json'
      : `bus-${startedAt.toISOString().slice(0, 19).replace(/[:]/g, '-')}.json`,
  );
  mkdirSync(join(json, '..'), { recursive: true });
  writeFileSync(json, JSON.stringify({ source: sourceNote, match, delivery }, null, 2));
  if (quick) writeFileSync(out, `${report}\n`);
  else
    writeSection(
      out,
      'bus',
      `${report}\n\nRaw measurements of this run: \`${relative(ROOT, json)}\`.`,
      SECTIONS,
    );
  console.log(`\nwrote ${out} and ${json}`);
}

/** What the report says about the code measured: the commit, and whether src/ changed during the run. */
function sourceNoteOf(source: string, before: string): string {
  const after = srcFingerprint();
  return `${source}; src/ fingerprint ${before}${before !== after ? ` at the start and **${after} at the end: src/ changed during the run**` : ', unchanged during the run'}`;
}

/** Writes a run's raw JSON (timestamped for the full workload, `<name>-quick.json` otherwise) and its report section; returns the JSON path. */
function writeRun(
  name: string,
  full: boolean,
  startedAt: Date,
  data: object,
  out: string,
  report: () => string,
): string {
  const json = join(
    ROOT,
    'bench',
    'results',
    full
      ? `${name}-${startedAt.toISOString().slice(0, 19).replace(/[:]/g, '-')}.json`
      : `${name}-quick.json`,
  );
  mkdirSync(join(json, '..'), { recursive: true });
  writeFileSync(json, JSON.stringify(data, null, 2));
  writeSection(
    out,
    name,
    `${report()}\nRaw measurements of this run: \`${relative(ROOT, json)}\`.\n`,
    SECTIONS,
  );
  return json;
}

const IDEMPOTENCY_HELP = `usage: npm run bench -- idempotency [options]

  Overhead per idempotent call (first execution and replay, sequential) of Ballast on SQLite,
  PostgreSQL and Redis and of Powertools for AWS Lambda on the same Redis, against calling the
  handler directly; and requests/s of a JSON POST endpoint on node:http with and without Ballast's
  middleware. Writes the idempotency section of docs/benchmarks.md (or --out).

  --runs N               runs of everything; the report shows the median [min–max] (default ${IDEM_DEFAULTS.runs})
  --samples N            timed calls per case and system (default ${IDEM_DEFAULTS.samples})
  --warmup N             untimed calls before each case (default ${IDEM_DEFAULTS.warmup})
  --systems a,b,…        per-call systems (default all; the baseline always runs): ${IDEM_DEFAULTS.systems.filter((s) => s !== 'none').join(', ')}
  --parts a,b            parts to run (default all): ${PARTS.join(', ')}
  --seconds S            HTTP load per case, seconds (default ${IDEM_DEFAULTS.seconds})
  --http-warmup S        HTTP warm-up before each server's cases, seconds (default ${IDEM_DEFAULTS.warmupSeconds})
  --connections N        HTTP connections, one request in flight each (default ${IDEM_DEFAULTS.connections})
  --quick                smoke run: --runs ${IDEM_QUICK.runs} --samples ${IDEM_QUICK.samples} --warmup ${IDEM_QUICK.warmup} --seconds ${IDEM_QUICK.seconds} --http-warmup ${IDEM_QUICK.warmupSeconds} (other options still apply)
  --out PATH             report path (default docs/benchmarks.md for the full workload,
                         bench/results/idempotency-quick.md otherwise)
`;

function seconds(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number of seconds, got ${value}`);
  return n;
}

function listOption<T extends string>(
  value: string | undefined,
  known: readonly T[],
  what: string,
): T[] {
  if (value === undefined) return [...known];
  const asked = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = asked.filter((s) => !known.includes(s as T));
  if (bad.length > 0)
    throw new Error(`unknown ${what} ${bad.join(', ')}; known: ${known.join(', ')}`);
  return known.filter((k) => asked.includes(k) || k === 'none');
}

async function idempotency(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string' },
      samples: { type: 'string' },
      warmup: { type: 'string' },
      systems: { type: 'string' },
      parts: { type: 'string' },
      seconds: { type: 'string' },
      'http-warmup': { type: 'string' },
      connections: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(IDEMPOTENCY_HELP);
    return;
  }
  const d = values.quick ? IDEM_QUICK : IDEM_DEFAULTS;
  const options: IdempotencyBenchOptions = {
    runs: int(values.runs, d.runs, 'runs'),
    samples: int(values.samples, d.samples, 'samples'),
    warmup: int(values.warmup, d.warmup, 'warmup'),
    systems: listOption(values.systems, d.systems, 'system(s)'),
    parts: listOption<Part>(values.parts, PARTS, 'part(s)'),
    seconds: seconds(values.seconds, d.seconds, 'seconds'),
    warmupSeconds: seconds(values['http-warmup'], d.warmupSeconds, 'http-warmup'),
    connections: int(values.connections, d.connections, 'connections'),
  };
  const full = idemIsDefault(options);
  const out =
    values.out ??
    (full
      ? join(ROOT, 'docs', 'benchmarks.md')
      : join(ROOT, 'bench', 'results', 'idempotency-quick.md'));
  const source = sourceState();
  const before = srcFingerprint();
  const machine = machineFacts();
  console.log(
    `${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; fdatasync ${Math.round(machine.fdatasyncPerSecond)}/s; load ${machine.loadAverage}`,
  );
  console.log(`workload: ${JSON.stringify(options)}`);
  const result = await runIdempotencyBench(options, (line) => console.log(line));
  const sourceNote = sourceNoteOf(source, before);
  const command = `npm run bench -- idempotency${args.length > 0 ? ` ${args.filter((a) => !a.startsWith('--out')).join(' ')}` : ''}`;
  const json = writeRun(
    'idempotency',
    full,
    result.startedAt,
    { machine, source: sourceNote, ...result },
    out,
    () => idempotencyMarkdown(result, machine, command, sourceNote),
  );
  console.log(`\n${idempotencyTargets(result)}`);
  console.log(`\nwrote ${out} and ${json}`);
}

const HEALTH_HELP = `usage: npm run bench -- health [options]

  A constant-work health monitor (its own process) probing a fake HTTP fleet (another process)
  with 0 %, 50 % and 100 % of endpoints failing, 100 % hanging, and flapping: snapshot bytes,
  probes, CPU, event-loop delay and heap per tick, naive designs (unhealthy list, delta) next to
  the snapshot, and detection latency. Writes the health section of docs/benchmarks.md (or --out).

  --endpoints N          endpoints (default ${HEALTH_DEFAULTS.endpoints})
  --ticks N              measured ticks per scenario (default ${HEALTH_DEFAULTS.ticks})
  --warmup N             unmeasured ticks at the start of each scenario (default ${HEALTH_DEFAULTS.warmup})
  --interval MS          probe interval, ms (default ${HEALTH_DEFAULTS.intervalMs})
  --timeout MS           probe timeout, ms (default ${HEALTH_DEFAULTS.timeoutMs})
  --listeners N          HTTP listeners of the fake fleet (default ${HEALTH_DEFAULTS.listeners})
  --reuse                probes reuse keep-alive connections (reuseConnections: true; the default opens a
                         new connection per probe): written to the health-keep-alive section
  --quick                smoke run: --endpoints ${HEALTH_QUICK.endpoints} --ticks ${HEALTH_QUICK.ticks} (other options still apply)
  --out PATH             report path (default docs/benchmarks.md for the full workload,
                         bench/results/health-quick.md otherwise)
`;

async function health(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      endpoints: { type: 'string' },
      ticks: { type: 'string' },
      warmup: { type: 'string' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      listeners: { type: 'string' },
      reuse: { type: 'boolean' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HEALTH_HELP);
    return;
  }
  const d = values.quick ? HEALTH_QUICK : HEALTH_DEFAULTS;
  const options: HealthBenchOptions = {
    ...d,
    endpoints: int(values.endpoints, d.endpoints, 'endpoints'),
    ticks: int(values.ticks, d.ticks, 'ticks'),
    warmup: int(values.warmup, d.warmup, 'warmup'),
    intervalMs: int(values.interval, d.intervalMs, 'interval'),
    timeoutMs: int(values.timeout, d.timeoutMs, 'timeout'),
    listeners: int(values.listeners, d.listeners, 'listeners'),
    reuseConnections: values.reuse === true,
  };
  const full = healthIsDefault({ ...options, reuseConnections: false });
  const section = options.reuseConnections ? 'health-keep-alive' : 'health';
  const out =
    values.out ??
    (full
      ? join(ROOT, 'docs', 'benchmarks.md')
      : join(ROOT, 'bench', 'results', 'health-quick.md'));
  const source = sourceState();
  const before = srcFingerprint();
  const machine = machineFacts();
  console.log(
    `${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; load ${machine.loadAverage}`,
  );
  console.log(`workload: ${JSON.stringify(options)}`);
  const result = await runHealthBench(options, (line) => console.log(line));
  const sourceNote = sourceNoteOf(source, before);
  const command = `npm run bench -- health${args.length > 0 ? ` ${args.filter((a) => !a.startsWith('--out')).join(' ')}` : ''}`;
  const json = writeRun(
    section,
    full,
    result.startedAt,
    { machine, source: sourceNote, ...result },
    out,
    () =>
      options.reuseConnections
        ? healthMarkdown(result, machine, command, sourceNote, ballastVersion()).replace(
            '## Health (constant work)',
            '## Health with keep-alive probes (`reuseConnections: true`)',
          )
        : healthMarkdown(result, machine, command, sourceNote, ballastVersion()),
  );
  console.log(`\n${healthTargets(result)}`);
  console.log(`\nwrote ${out} and ${json}`);
}

async function interactions(args: string[]): Promise<void> {
  const parsed = parseInteractionsArgs(args);
  if (!parsed) {
    process.stdout.write(INTERACTIONS_HELP);
    return;
  }
  const { options, full } = parsed;
  const out =
    parsed.out ??
    join(
      ROOT,
      ...(full ? ['docs', 'benchmarks.md'] : ['bench', 'results', 'interactions-quick.md']),
    );
  const [source, before, machine] = [sourceState(), srcFingerprint(), machineFacts()];
  console.log(
    `${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; load ${machine.loadAverage}\nworkload: ${JSON.stringify(options)}`,
  );
  const result = await runInteractionsBench(options, (line) => console.log(line));
  const sourceNote = sourceNoteOf(source, before);
  const command = [
    'npm run bench -- interactions',
    ...args.filter((a, i) => !a.startsWith('--out') && args[i - 1] !== '--out'),
  ].join(' ');
  const json = writeRun(
    'interactions',
    full,
    result.startedAt,
    { machine, source: sourceNote, ...result },
    out,
    () => interactionsMarkdown(result, machine, command, sourceNote, ballastVersion()),
  );
  console.log(`\n${interactionsTargets(result)}\n\nwrote ${out} and ${json}`);
}

const CHAIN_HELP = `usage: npm run bench -- interactions-chain [--quick] [--out PATH]

  The worked example of docs/interactions.md: the fragile and the fixed design of one checkout
  chain (examples/doctor/fragile.json, fixed.json) against a bank that fails, recovers, hangs and
  recovers; calls reaching the bank per checkout, the shop's wait, recovery; and what
  \`ballast doctor\` reports on each design. Writes the interactions-chain section of docs/benchmarks.md.
  --quick   phases of 1.5–2 s, written to bench/results/interactions-chain-quick.md
`;

/**
 * A benchmark with only `--quick` and `--out`: runs it, then writes its section of
 * docs/benchmarks.md (or the quick report) and its raw JSON.
 */
async function quickOrFull<R extends { startedAt: Date }>(
  name: string,
  args: string[],
  help: string,
  run: (full: boolean) => Promise<R>,
  markdown: (result: R, machine: MachineFacts, command: string, source: string) => string,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(help);
  const full = values.quick !== true;
  const out =
    values.out ??
    join(ROOT, ...(full ? ['docs', 'benchmarks.md'] : ['bench', 'results', `${name}-quick.md`]));
  const [source, before, machine] = [sourceState(), srcFingerprint(), machineFacts()];
  const result = await run(full);
  const sourceNote = sourceNoteOf(source, before);
  const command = `npm run bench -- ${name}${full ? '' : ' --quick'}`;
  const json = writeRun(
    name,
    full,
    result.startedAt,
    { machine, source: sourceNote, ...result },
    out,
    () => markdown(result, machine, command, sourceNote),
  );
  console.log(`\nwrote ${out} and ${json}`);
}

const interactionsChain = (args: string[]) =>
  quickOrFull(
    'interactions-chain',
    args,
    CHAIN_HELP,
    (full) =>
      runChainBench(
        full
          ? CHAIN_DEFAULTS
          : {
              ...CHAIN_DEFAULTS,
              warmupSeconds: 1.5,
              failSeconds: 1.5,
              recoverSeconds: 2,
              hangSeconds: 1.5,
            },
        (line) => console.log(line),
      ),
    chainMarkdown,
  );

const interactionsOverhead = (args: string[]) =>
  quickOrFull(
    'interactions-overhead',
    args,
    "usage: npm run bench -- interactions-overhead [--quick] [--out PATH]\n\n  Per-call cost of Ballast's hard-real-time interaction, cockatiel and opossum on the success path.\n",
    (full) => runOverheadBench(full ? 200_000 : 20_000, full ? 5 : 2, (line) => console.log(line)),
    overheadMarkdown,
  );

/** Order of the sections in docs/benchmarks.md. */
const SECTIONS = [
  'queue',
  'bus',
  'idempotency',
  'health',
  'health-keep-alive',
  'interactions',
  'interactions-chain',
  'interactions-overhead',
] as const;

const [scenario, ...rest] = process.argv.slice(2);
// Diagnostic only: never keeps the process alive, but names what does if it fails to exit.
const lingering = () => {
  const t = setTimeout(
    () =>
      console.error(
        `still running 15 s after the benchmark ended: ${process.getActiveResourcesInfo().join(', ')}`,
      ),
    15_000,
  );
  t.unref();
};
try {
  if (scenario === 'queue') await queue(rest);
  else if (scenario === 'bus') await bus(rest);
  else if (scenario === 'idempotency') await idempotency(rest);
  else if (scenario === 'health') await health(rest);
  else if (scenario === 'interactions') await interactions(rest);
  else if (scenario === 'interactions-chain') await interactionsChain(rest);
  else if (scenario === 'interactions-overhead') await interactionsOverhead(rest);
  else {
    process.stdout.write(HELP);
    if (scenario !== undefined && scenario !== '--help' && scenario !== '-h') process.exitCode = 2;
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  lingering();
}
