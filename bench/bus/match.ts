/**
 * Matching benchmark: events per second on one core for N rules (1 … 10,000), per operator
 * family, Ballast's compiled matcher beside the JavaScript alternatives (see match-peers.ts).
 * Run `npx tsx bench/bus/match.ts --help`; `runMatchBench(options)` returns the same result.
 *
 * Peers and serverless-offline-aws-eventbridge: that package declares `serverless-offline` as a
 * peer, which brings `serverless` v4, whose install script downloads the framework binary from
 * outside the npm registry (the project installs nothing that way) along with ~500 packages.
 * So it is not a devDependency: install it elsewhere
 * (`npm install --ignore-scripts --legacy-peer-deps serverless-offline-aws-eventbridge@2.2.4` in
 * an empty directory) and pass `--soe-dir DIR`; without it the report says it did not run.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchEvent, type DataSet, generateData } from './match-data.js';
import {
  ballast,
  type Built,
  jreLoop,
  type MatchSystem,
  serverlessOffline,
  siftLoop,
} from './match-peers.js';
import { type BenchRule, FAMILIES, type Family, generateRules } from './match-rules.js';

/** Options of `runMatchBench`. */
export interface MatchBenchOptions {
  /** Rule counts to measure. @defaultValue [1, 10, 100, 1000, 10000] */
  rules: number[];
  /** Operator families. @defaultValue all of FAMILIES */
  families: Family[];
  /** Systems: ballast, sift, json-rules-engine, serverless-offline. @defaultValue all */
  systems: string[];
  /** Distinct events generated (cycled through while timing). @defaultValue 20_000 */
  events: number;
  /** Timed seconds per measurement (after warm-up). @defaultValue 1 */
  seconds: number;
  /** Events whose matched rule ids are compared across systems (fewer for slow systems). @defaultValue 1_000 */
  sample: number;
  /** PRNG seed for events and rules. @defaultValue 1 */
  seed: number;
  /** Where serverless-offline-aws-eventbridge is installed (see the header). @defaultValue $BALLAST_BENCH_SOE_DIR */
  soeDir?: string;
  /** Called with a line of progress. */
  log?: (line: string) => void;
}

export const DEFAULT_MATCH_OPTIONS = {
  rules: [1, 10, 100, 1000, 10_000],
  families: [...FAMILIES],
  systems: ['ballast', 'sift', 'json-rules-engine', 'serverless-offline'],
  events: 20_000,
  seconds: 1,
  sample: 1_000,
  seed: 1,
} satisfies Omit<MatchBenchOptions, 'soeDir' | 'log'>;

/** One measurement. */
export interface MatchRow {
  family: Family;
  rules: number;
  system: string;
  /** 'obj' = pre-parsed objects, 'text' = JSON text parsed per event, 'entry' = a PutEvents entry. */
  input: 'obj' | 'text' | 'entry';
  /** Events per second, or null with `skipped` saying why. */
  eventsPerSecond: number | null;
  /** Events timed. */
  timedEvents: number;
  skipped?: string;
  /** Time to load the rules, ms. */
  buildMs?: number;
}

/** Cross-check of one peer against Ballast on the same events. */
export interface Agreement {
  family: Family;
  rules: number;
  system: string;
  /** Events compared. */
  events: number;
  /** Matches (rule, event pairs) each side found. */
  ballastMatches: number;
  peerMatches: number;
  /** Events whose matched rule sets differ. */
  differingEvents: number;
  /** One differing example: event index and the rule ids only one side matched. */
  example?: { event: number; onlyBallast: string[]; onlyPeer: string[] };
}

/** A target from the issue and whether this run met it. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** What `runMatchBench` returns. */
export interface MatchBenchResult {
  options: Omit<MatchBenchOptions, 'log'>;
  machine: { cpu: string; cores: number; node: string; loadAverage: string };
  data: { events: number; meanEventBytes: number };
  rows: MatchRow[];
  agreements: Agreement[];
  targets: TargetCheck[];
  /** Matches per event (Ballast, over the sample) by family and rule count. */
  matchesPerEvent: Record<string, number>;
  /** Candidates Ballast verified per event (all timed events) by family and rule count. */
  candidatesPerEvent: Record<string, number>;
}

const now = (): number => performance.now();

/** Runs `fn` over the inputs in a loop until `seconds` passed (after a short warm-up). */
async function time<T>(
  inputs: readonly T[],
  fn: (x: T) => string[] | Promise<string[]>,
  async: boolean,
  seconds: number,
): Promise<{ eps: number; n: number }> {
  const one = async ? async (x: T) => (await fn(x)).length : (x: T) => (fn(x) as string[]).length;
  // Warm-up: up to 2,000 events or 0.3 s, which also tells how often to read the clock.
  let i = 0;
  const warmStart = now();
  let warm = 0;
  while (warm < 2000 && now() - warmStart < 300) {
    await one(inputs[i]!);
    i = (i + 1) % inputs.length;
    warm++;
  }
  const perEventMs = (now() - warmStart) / warm;
  const batch = Math.max(1, Math.min(256, Math.floor(0.05 / perEventMs)));
  let n = 0;
  const start = now();
  const limit = seconds * 1000;
  let elapsed = 0;
  do {
    for (let k = 0; k < batch; k++) {
      if (async) await one(inputs[i]!);
      // Sync mode: `one` returns a count, not a promise; only its union type says otherwise.
      else void one(inputs[i]!);
      i = (i + 1) % inputs.length;
    }
    n += batch;
    elapsed = now() - start;
  } while (elapsed < limit);
  return { eps: (n * 1000) / elapsed, n };
}

async function idsFor(
  built: Built,
  events: readonly BenchEvent[],
  count: number,
): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push([...(await built.matchObject(events[i]!))].sort());
  return out;
}

function compare(
  family: Family,
  rules: number,
  system: string,
  ours: string[][],
  theirs: string[][],
): Agreement {
  const a: Agreement = {
    family,
    rules,
    system,
    events: theirs.length,
    ballastMatches: 0,
    peerMatches: 0,
    differingEvents: 0,
  };
  for (let i = 0; i < theirs.length; i++) {
    const x = ours[i]!;
    const y = theirs[i]!;
    a.ballastMatches += x.length;
    a.peerMatches += y.length;
    if (x.join('\n') !== y.join('\n')) {
      a.differingEvents++;
      if (!a.example) {
        const ys = new Set(y);
        const xs = new Set(x);
        a.example = {
          event: i,
          onlyBallast: x.filter((id) => !ys.has(id)).slice(0, 5),
          onlyPeer: y.filter((id) => !xs.has(id)).slice(0, 5),
        };
      }
    }
  }
  return a;
}

function systemsFor(ids: string[], soeDir: string | undefined): MatchSystem[] {
  const all = [ballast, siftLoop, jreLoop, serverlessOffline(soeDir)];
  return all.filter((s) => ids.includes(s.id));
}

async function measureFamily(
  family: Family,
  count: number,
  data: DataSet,
  o: MatchBenchOptions,
  systems: MatchSystem[],
  result: MatchBenchResult,
): Promise<void> {
  const log = o.log ?? (() => {});
  const rules: BenchRule[] = generateRules(family, count, data, o.seed);
  let reference: string[][] | null = null;
  for (const system of systems) {
    const t0 = now();
    const built = system.build(rules, family);
    const buildMs = now() - t0;
    const base = { family, rules: count, system: system.id };
    if (typeof built === 'string') {
      result.rows.push({
        ...base,
        input: system.id === 'serverless-offline' ? 'entry' : 'obj',
        eventsPerSecond: null,
        timedEvents: 0,
        skipped: built,
      });
      log(`${family} ${count} ${system.id}: skipped (${built})`);
      continue;
    }
    if (built.prepare) for (const e of data.events) built.prepare(e);
    const obj = await time(data.events, (e) => built.matchObject(e), built.async, o.seconds);
    const input = built.matchText ? 'obj' : 'entry';
    result.rows.push({ ...base, input, eventsPerSecond: obj.eps, timedEvents: obj.n, buildMs });
    log(
      `${family} ${count} ${system.id} ${input}: ${Math.round(obj.eps).toLocaleString('en-US')} events/s`,
    );
    if (built.matchText) {
      const text = await time(data.texts, (t) => built.matchText!(t), built.async, o.seconds);
      result.rows.push({ ...base, input: 'text', eventsPerSecond: text.eps, timedEvents: text.n });
      log(
        `${family} ${count} ${system.id} text: ${Math.round(text.eps).toLocaleString('en-US')} events/s`,
      );
    }
    // Agreement: slow systems compare fewer events (about 5 s of their time at most).
    const sample = Math.min(o.sample, data.events.length, Math.max(20, Math.floor(obj.eps * 5)));
    const ids = await idsFor(built, data.events, sample);
    if (system.id === 'ballast') {
      reference = ids;
      if (built.candidatesPerEvent)
        result.candidatesPerEvent[`${family}/${count}`] = built.candidatesPerEvent();
      result.matchesPerEvent[`${family}/${count}`] =
        ids.reduce((n, x) => n + x.length, 0) / ids.length;
    } else if (reference) {
      result.agreements.push(compare(family, count, system.id, reference, ids));
    }
  }
}

function targets(result: MatchBenchResult): TargetCheck[] {
  const eps = (family: Family, rules: number, input: 'obj' | 'text'): number | null =>
    result.rows.find(
      (r) =>
        r.system === 'ballast' && r.family === family && r.rules === rules && r.input === input,
    )?.eventsPerSecond ?? null;
  const out: TargetCheck[] = [];
  for (const family of ['exact', 'prefix', 'numeric'] as Family[]) {
    for (const input of ['obj', 'text'] as const) {
      const v = eps(family, 1000, input);
      if (v !== null)
        out.push({
          target: `≥ 500,000 events/s, 1,000 ${family} rules (${input})`,
          measured: `${Math.round(v).toLocaleString('en-US')}`,
          met: v >= 500_000,
        });
    }
  }
  for (const family of result.options.families) {
    for (const input of ['obj', 'text'] as const) {
      const small = eps(family, 10, input);
      const large = eps(family, 10_000, input);
      if (small === null || large === null) continue;
      const ratio = small / large;
      out.push({
        target: `time/event at 10,000 ${family} rules ≤ 2 × at 10 (${input})`,
        measured: `${ratio.toFixed(2)} ×`,
        met: ratio <= 2,
      });
    }
  }
  return out;
}

/** Runs the benchmark; see `MatchBenchOptions`. */
export async function runMatchBench(
  options: Partial<MatchBenchOptions> = {},
): Promise<MatchBenchResult> {
  const o: MatchBenchOptions = {
    ...DEFAULT_MATCH_OPTIONS,
    soeDir: process.env.BALLAST_BENCH_SOE_DIR,
    ...options,
  };
  const data = generateData(o.events, o.seed);
  const { log: _log, ...shown } = o;
  const result: MatchBenchResult = {
    options: shown,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverage: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    },
    data: { events: data.events.length, meanEventBytes: Math.round(data.meanBytes) },
    rows: [],
    agreements: [],
    targets: [],
    matchesPerEvent: {},
    candidatesPerEvent: {},
  };
  const systems = systemsFor(o.systems, o.soeDir);
  for (const family of o.families)
    for (const count of o.rules) await measureFamily(family, count, data, o, systems, result);
  result.targets = targets(result);
  return result;
}

// ---------------------------------------------------------------- report

const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US');

/** The result as text tables: per family, rules × system/input, events per second. */
export function matchReport(r: MatchBenchResult): string {
  const lines: string[] = [];
  lines.push(
    `Event-pattern matching, events/s on one core (${r.machine.cpu}, ${r.machine.cores} cores shared and noisy, Node ${r.machine.node}, load ${r.machine.loadAverage})`,
  );
  lines.push(
    `${r.data.events} synthetic city-lots events in EventBridge envelopes, ${r.data.meanEventBytes} bytes each on average; ${r.options.seconds} s per cell after warm-up.`,
  );
  lines.push(
    'obj = pre-parsed object; text = JSON text, parsed per event inside the measured call; entry = PutEvents entry (serverless-offline only).',
  );
  lines.push(
    'matches/event: rules matched per event (Ballast, sample); candidates/event: $or combinations Ballast verified per event.',
  );
  const columns = [...new Set(r.rows.map((x) => `${x.system} ${x.input}`))];
  for (const family of r.options.families) {
    lines.push('', `## ${family}`);
    const header = ['rules', ...columns, 'matches/event', 'candidates/event'];
    const table = [header];
    for (const count of r.options.rules) {
      const cells = columns.map((c) => {
        const row = r.rows.find(
          (x) => x.family === family && x.rules === count && `${x.system} ${x.input}` === c,
        );
        return row ? (row.skipped ? 'n/a' : fmt(row.eventsPerSecond)) : '';
      });
      const mpe = r.matchesPerEvent[`${family}/${count}`];
      const cpe = r.candidatesPerEvent[`${family}/${count}`];
      table.push([
        fmt(count),
        ...cells,
        mpe === undefined ? '—' : mpe.toFixed(2),
        cpe === undefined ? '—' : cpe.toFixed(2),
      ]);
    }
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table)
      lines.push(
        row.map((c, i) => (i === 0 ? c.padStart(widths[i]!) : c.padStart(widths[i]!))).join('  '),
      );
  }
  const skipped = [
    ...new Map(
      r.rows.filter((x) => x.skipped).map((x) => [`${x.system}: ${x.family}`, x.skipped!]),
    ).entries(),
  ];
  if (skipped.length > 0) {
    lines.push('', 'Not run (n/a):');
    for (const [k, why] of skipped) lines.push(`- ${k}: ${why}`);
  }
  lines.push('', 'Agreement with Ballast (same events; rule sets compared per event):');
  for (const a of r.agreements) {
    const verdict = a.differingEvents === 0 ? 'agree' : `DIFFER on ${a.differingEvents}`;
    const ex = a.example
      ? ` e.g. event ${a.example.event}: only Ballast [${a.example.onlyBallast.join(', ')}], only ${a.system} [${a.example.onlyPeer.join(', ')}]`
      : '';
    lines.push(
      `- ${a.family} × ${a.rules} rules, ${a.system}: ${verdict} of ${a.events} events (matches: Ballast ${a.ballastMatches}, ${a.system} ${a.peerMatches})${ex}`,
    );
  }
  lines.push('', 'Targets:');
  for (const t of r.targets)
    lines.push(`- ${t.met ? 'met    ' : 'NOT met'} ${t.target}: ${t.measured}`);
  return lines.join('\n');
}

const HELP = `usage: npx tsx bench/bus/match.ts [options]

  --rules a,b,…      rule counts (default ${DEFAULT_MATCH_OPTIONS.rules.join(',')})
  --families a,b,…   families (default all): ${FAMILIES.join(', ')}
  --systems a,b,…    systems (default all): ${DEFAULT_MATCH_OPTIONS.systems.join(', ')}
  --events N         distinct events generated (default ${DEFAULT_MATCH_OPTIONS.events})
  --seconds S        timed seconds per cell (default ${DEFAULT_MATCH_OPTIONS.seconds})
  --sample N         events compared across systems (default ${DEFAULT_MATCH_OPTIONS.sample})
  --seed N           PRNG seed (default ${DEFAULT_MATCH_OPTIONS.seed})
  --soe-dir DIR      where serverless-offline-aws-eventbridge is installed (or $BALLAST_BENCH_SOE_DIR)
  --json PATH        also write the result as JSON
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rules: { type: 'string' },
      families: { type: 'string' },
      systems: { type: 'string' },
      events: { type: 'string' },
      seconds: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string' },
      'soe-dir': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const list = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim());
  const num = (v: string | undefined): number | undefined =>
    v === undefined ? undefined : Number(v);
  const families = list(values.families) as Family[] | undefined;
  const bad = families?.filter((f) => !FAMILIES.includes(f));
  if (bad && bad.length > 0) throw new Error(`unknown families: ${bad.join(', ')}`);
  const options: Partial<MatchBenchOptions> = { log: (l) => process.stderr.write(`${l}\n`) };
  if (values.rules) options.rules = list(values.rules)!.map(Number);
  if (families) options.families = families;
  if (values.systems) options.systems = list(values.systems)!;
  if (values.events) options.events = num(values.events)!;
  if (values.seconds) options.seconds = num(values.seconds)!;
  if (values.sample) options.sample = num(values.sample)!;
  if (values.seed) options.seed = num(values.seed)!;
  if (values['soe-dir']) options.soeDir = values['soe-dir'];
  const result = await runMatchBench(options);
  process.stdout.write(`${matchReport(result)}\n`);
  if (values.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(values.json, `${JSON.stringify(result, null, 1)}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
