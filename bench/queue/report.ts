import type { MachineFacts } from './machine.js';
import type { Metric, QueueBenchOptions, QueueBenchResult, SystemResult } from './run.js';
import { DEFAULT_OPTIONS, sameOptions } from './run.js';
import type { Latency, Rate } from './scenarios/measurement.js';
import { median } from './workload.js';

/** Figures measured earlier on this kind of machine (reference/queue-peers.md), for context only. */
export const EARLIER = {
  bullmqConsume: 13_703,
  bullmqP99: 1.78,
  graphileTunedConsume: 10_255,
} as const;

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
  capped: boolean;
}

function summarise(values: number[], capped: boolean): Summary | undefined {
  if (values.length === 0) return undefined;
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
    capped,
  };
}

export function rateSummary(
  r: SystemResult,
  metric: Exclude<Metric, 'latency'>,
): Summary | undefined {
  const ms = (r.measurements[metric] ?? []) as Rate[];
  return summarise(
    ms.map((m) => m.perSecond),
    ms.some((m) => m.capped),
  );
}

export function latencySummary(r: SystemResult, which: 'p50' | 'p99'): Summary | undefined {
  const ls = (r.measurements.latency ?? []) as Latency[];
  return summarise(
    ls.map((l) => l[which]),
    ls.some((l) => l.capped),
  );
}

const k = (n: number): string =>
  n >= 10_000
    ? `${(n / 1000).toFixed(1)}k`
    : n >= 1000
      ? `${(n / 1000).toFixed(2)}k`
      : n.toFixed(0);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function fmtRate(s: Summary | undefined): string {
  if (!s) return '—';
  const range = s.runs > 1 ? ` [${k(s.min)}–${k(s.max)}]` : '';
  return `${int(s.median)}${range}${s.capped ? ' (capped)' : ''}`;
}

function fmtMs(s: Summary | undefined): string {
  if (!s) return '—';
  const range = s.runs > 1 ? ` [${ms(s.min)}–${ms(s.max)}]` : '';
  return `${ms(s.median)}${range}`;
}

const COLUMNS = [
  'single, 1 in flight /s',
  'single, 10 in flight /s',
  'bulk enqueue /s',
  'consume /s',
  'end to end /s',
  'p50 ms',
  'p99 ms',
];

function row(r: SystemResult): string[] {
  return [
    fmtRate(rateSummary(r, 'single1')),
    fmtRate(rateSummary(r, 'single10')),
    fmtRate(rateSummary(r, 'bulk')),
    fmtRate(rateSummary(r, 'consume')),
    fmtRate(rateSummary(r, 'e2e')),
    fmtMs(latencySummary(r, 'p50')),
    fmtMs(latencySummary(r, 'p99')),
  ];
}

/** A plain-text table for the terminal. */
export function textTable(result: QueueBenchResult): string {
  const rows = [['system', ...COLUMNS]];
  for (const r of result.systems) rows.push(r.skipped ? [r.id, r.skipped] : [r.id, ...row(r)]);
  const widths = rows[0]!.map((_, c) =>
    Math.max(...rows.filter((x) => x.length > 2).map((x) => (x[c] ?? '').length)),
  );
  return rows
    .map((x) =>
      x.length === 2
        ? `${x[0]!.padEnd(widths[0]!)}  ${x[1]}`
        : x.map((cell, c) => cell.padEnd(widths[c]!)).join('  '),
    )
    .join('\n');
}

interface Target {
  name: string;
  measured: string;
  goal: string;
  ok: boolean | undefined;
  earlier: string;
}

function byId(result: QueueBenchResult, id: string): SystemResult | undefined {
  const r = result.systems.find((s) => s.id === id);
  return r && !r.skipped ? r : undefined;
}

/** The four targets, from medians of this run (and, for context, against the earlier figures). */
export function targets(result: QueueBenchResult): Target[] {
  const out: Target[] = [];
  const sqlite = byId(result, 'ballast-sqlite');
  const pgB = byId(result, 'ballast-postgres');
  const server = byId(result, 'ballast-server');
  const bull = byId(result, 'bullmq');
  const gw = byId(result, 'graphile-worker');
  const ratio = (a?: Summary, b?: Summary) =>
    a && b && b.median > 0 ? a.median / b.median : undefined;

  {
    const a = sqlite && rateSummary(sqlite, 'consume');
    const b = bull && rateSummary(bull, 'consume');
    const r = ratio(a, b);
    out.push({
      name: 'Ballast on SQLite consume rate ≥ 2× BullMQ’s',
      measured: a && b ? `${fmtRate(a)} / ${fmtRate(b)} = ${r!.toFixed(2)}×` : 'not measured',
      goal: '≥ 2.00×',
      ok: r === undefined ? undefined : r >= 2,
      earlier: a
        ? `${(a.median / EARLIER.bullmqConsume).toFixed(2)}× of ${int(EARLIER.bullmqConsume)}/s`
        : '—',
    });
  }
  {
    const a = sqlite && latencySummary(sqlite, 'p99');
    const b = bull && latencySummary(bull, 'p99');
    out.push({
      name: 'Ballast on SQLite p99 send→handler ≤ BullMQ’s',
      measured: a && b ? `${fmtMs(a)} ms vs ${fmtMs(b)} ms` : 'not measured',
      goal: '≤ BullMQ',
      ok: a && b ? a.median <= b.median : undefined,
      earlier: a ? `${ms(a.median)} vs ${EARLIER.bullmqP99} ms` : '—',
    });
  }
  {
    const a = pgB && rateSummary(pgB, 'consume');
    const b = gw && rateSummary(gw, 'consume');
    const r = ratio(a, b);
    out.push({
      name: 'Ballast on PostgreSQL consume rate ≥ 2× graphile-worker’s (tuned)',
      measured: a && b ? `${fmtRate(a)} / ${fmtRate(b)} = ${r!.toFixed(2)}×` : 'not measured',
      goal: '≥ 2.00×',
      ok: r === undefined ? undefined : r >= 2,
      earlier: a
        ? `${(a.median / EARLIER.graphileTunedConsume).toFixed(2)}× of ${int(EARLIER.graphileTunedConsume)}/s`
        : '—',
    });
  }
  {
    const a = server && rateSummary(server, 'e2e');
    out.push({
      name: 'Server via AWS SDK: sent + received + deleted, batches of 10 ≥ 5,000 msg/s',
      measured: a ? `${fmtRate(a)}/s` : 'not measured',
      goal: '≥ 5,000/s',
      ok: a ? a.median >= 5000 && !a.capped : undefined,
      earlier: '—',
    });
  }
  return out;
}

const verdict = (ok: boolean | undefined): string =>
  ok === undefined ? 'NOT MEASURED' : ok ? 'PASS' : 'MISS';

export function textTargets(result: QueueBenchResult): string {
  return targets(result)
    .map((t) => `${verdict(t.ok).padEnd(12)} ${t.name}: ${t.measured} (goal ${t.goal})`)
    .join('\n');
}

function isDefault(o: QueueBenchOptions): boolean {
  return sameOptions(o, DEFAULT_OPTIONS);
}

/** docs/benchmarks.md, generated from one run. */
export function markdown(
  result: QueueBenchResult,
  machine: MachineFacts,
  command: string,
  source: string,
): string {
  const o = result.options;
  const ran = result.systems.filter((s) => !s.skipped);
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l);
  p('## Queues: Ballast and its peers, side by side', '');
  p(
    `Generated by \`${command}\` on ${result.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; the whole run took ${Math.round(result.seconds)} s. ` +
      `Every figure is the **median [min–max] of ${o.runs} run${o.runs > 1 ? 's' : ''}**; each run goes through every system in turn, each on a fresh store.`,
    '',
  );
  if (!isDefault(o))
    p(
      '> **Quick run**: not the full workload (see the parameters below). Run `npm run bench -- queue` for the full one.',
      '',
    );

  p(`Code measured: ${source}.`, '');
  p('### Machine', '');
  p(
    `- ${machine.nproc} vCPU (\`${machine.cpuModel}\`), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; load average at start ${machine.loadAverage}.`,
    `- Disk: ${machine.disk}; 4 KiB write + fdatasync: **${int(machine.fdatasyncPerSecond)}/s** (≈ ${(1000 / machine.fdatasyncPerSecond).toFixed(2)} ms each) in the temporary directory holding the SQLite files. PostgreSQL and Redis run on the same VM and disk.`,
    '- Everything shares the 2 cores: the benchmark process (client, in-process library and its handlers), the Ballast server child, PostgreSQL and Redis.',
    '',
  );

  p('### Systems and what an acknowledgement promises', '');
  p('| system | versions | durability of an ack in this setup |', '|---|---|---|');
  for (const s of result.systems) {
    if (s.skipped) {
      p(`| \`${s.id}\` | — | skipped: ${s.skipped} |`);
      continue;
    }
    const f = s.facts!;
    const versions = Object.entries(f.versions)
      .map(([name, v]) => (name === 'postgresql' ? v.split(' on ')[0]! : `${name} ${v}`))
      .join(', ');
    p(`| \`${s.id}\`: ${f.label} | ${versions} | ${f.durability} |`);
  }
  p('');

  p('### Workload', '');
  p(
    `Payload: ~200-byte JSON (\`{"seq":…,"t":…,"pad":"xxx…"}\`), a no-op handler. Every phase uses a fresh, empty queue; concurrency ${o.concurrency} wherever a consumer runs.`,
    '',
    `1. **single, 1 in flight** — ${int(o.sequentialMessages)} single sends, each awaited before the next (strictly sequential).`,
    `2. **single, 10 in flight** — ${int(o.messages)} single sends (one message per call), at most 10 calls outstanding.`,
    `3. **bulk enqueue** — ${int(o.messages)} messages the system's batched way (see "How each system was driven").`,
    `4. **consume** — the ${int(o.messages)} messages of the bulk phase, already waiting, drained with concurrency ${o.concurrency}. The clock starts just before the consumer is started and stops when the **store** says nothing is left (deleted or completed; polled every 5 ms once every handler has run).`,
    `5. **end to end** — consumers start on an empty queue, then ${int(o.messages)} messages are sent the batched way while they consume; the clock stops when the store says all were sent, received and deleted. For the server this is the "≥ 5,000 msg/s with batches of 10" figure.`,
    `6. **latency** — send → handler start at low load: one message at a time, a random 0–20 ms gap after each, ${o.latencyWarmup} warm-up messages then ${o.latencySamples} samples; \`performance.now()\` is stamped into the body just before the send call and read at handler start in the same process. p50 and p99 are per run (nearest rank); the table shows their medians across runs.`,
    '',
    `Any phase still running after ${o.capSeconds} s is cut short and marked **(capped)**: its rate is what it finished in that time.`,
    '',
  );

  p(`### Results (median [min–max] of ${o.runs})`, '');
  p(`| system | ${COLUMNS.join(' | ')} |`, `|---|${COLUMNS.map(() => '---:').join('|')}|`);
  for (const s of result.systems) {
    if (s.skipped) p(`| \`${s.id}\` | ${COLUMNS.map(() => '—').join(' | ')} |`);
    else {
      const limits = [
        s.runs !== o.runs ? `${s.runs} run${s.runs === 1 ? '' : 's'} only` : '',
        s.capSeconds !== o.capSeconds ? `cap ${s.capSeconds} s` : '',
      ]
        .filter(Boolean)
        .join(', ');
      p(`| \`${s.id}\`${limits ? ` (${limits})` : ''} | ${row(s).join(' | ')} |`);
    }
  }
  p('');
  const latencyNotes = ran
    .map((s) => ({ s, ls: (s.measurements.latency ?? []) as Latency[] }))
    .filter(({ ls }) => ls.some((l) => l.capped || l.samples < o.latencySamples));
  for (const { s, ls } of latencyNotes) {
    p(
      `- \`${s.id}\` latency: ${ls.map((l) => `${l.samples}`).join(' / ')} samples per run (its time cap of ${s.capSeconds} s came before ${o.latencySamples}).`,
    );
  }
  const limited = ran.filter((s) => s.runs !== o.runs || s.capSeconds !== o.capSeconds);
  for (const s of limited) {
    p(
      `- \`${s.id}\` ran ${s.runs} time${s.runs === 1 ? '' : 's'}${s.capSeconds !== o.capSeconds ? ` with a ${s.capSeconds} s cap per phase` : ''}: ${
        s.capSeconds !== o.capSeconds
          ? 'it is poll-bound (see its notes), and more or longer runs would take most of the time budget without telling more'
          : 'a secondary configuration, run once to keep the whole benchmark near 10 minutes'
      }.`,
    );
  }
  if (latencyNotes.length > 0 || limited.length > 0) p('');

  p('### Targets', '');
  p(
    'Verdicts compare the medians above (same machine, same run); [min–max] over the runs is shown so a verdict decided inside overlapping ranges can be read as the near-tie it is. The last column compares with the figures measured earlier (`reference/queue-peers.md`), for context only.',
    '',
  );
  p('| target | measured | goal | verdict | vs earlier peer figure |', '|---|---|---|---|---|');
  for (const t of targets(result))
    p(`| ${t.name} | ${t.measured} | ${t.goal} | **${verdict(t.ok)}** | ${t.earlier} |`);
  p('');

  p('### How each system was driven', '');
  for (const s of ran) {
    const f = s.facts!;
    p(`- **\`${s.id}\`** — bulk: ${f.bulkMethod}. Consume: ${f.consumeMethod}.`);
    for (const n of f.notes) p(`  - ${n}`);
  }
  p('');

  p('### Notes on what is measured differently', '');
  p(
    '- **"Done" differs by system**: Ballast and graphile-worker delete a finished message; BullMQ moves it to its completed set and pg-boss marks it `completed` (both keep it, which is also a write). Every consume figure stops on the store\'s own view, not on the handler count.',
    '- **Durability differs** (table above): BullMQ here acknowledges from Redis memory only; the Ballast and PostgreSQL-based figures are for acknowledged writes that are committed to disk.',
    '- **Ballast on SQLite runs in the benchmark process**: its fsyncs and queries block the same event loop as the client and the handlers. The PostgreSQL-based systems and BullMQ put the store in another process (on the other core).',
    '- **Concurrency 10 means different things**: Ballast and BullMQ run up to 10 handlers at once; graphile-worker runs 10 (with up to 100 jobs locked locally when tuned); the server drive uses 10 receive loops of up to 10 messages (up to 100 in flight), as an SQS client would; pg-boss 10 has no concurrency option, so it is 10 `work()` loops of batchSize 1 (or one loop of 100).',
    "- **Latency** includes each system's wake-up path: Ballast in process (commit → in-process wake-up → claim), the server (HTTP send → long-polling ReceiveMessage), BullMQ (blocking Redis pop), graphile-worker (LISTEN/NOTIFY), pg-boss (polling every 0.5 s).",
    '',
  );
  p('### When a target is missed', '');
  p(
    'Why the current misses happen, with measurements and next steps: [performance notes](performance.md). Find where the time goes with the tools in `bench/profile/` (not part of this run): `consume.ts sqlite|postgres` drains a backlog with counters on every store transaction and statement; `server-e2e.ts` splits the server end-to-end figure into client (SDK) and server CPU per message and counts requests; `server-request.ts` compares one SDK request with the same request over bare HTTP; `sqlite-counter.ts` counts group commits inside the server child (`BENCH_SERVER_NODE_ARGS="--import ./bench/profile/sqlite-counter.ts"`); `top.ts` summarises a `--cpu-prof` profile.',
    '',
  );
  const errs = result.systems.filter((s) => s.errors.length > 0);
  if (errs.length > 0) {
    p('### Errors during the run', '');
    for (const s of errs) for (const e of s.errors) p(`- \`${s.id}\` ${e}`);
    p('');
  }
  p('### The machine during the run', '');
  p(
    'Other sessions share this VM. Before each run of each system the benchmark waits (up to 60 s) until other work uses < 15% of the CPUs, then measures fdatasync; the figures below are what it saw. Low fdatasync rates or high CPU mean that system was measured on a busier machine.',
    '',
  );
  p(
    '| system | runs | seconds | other work before its runs (CPU) | fdatasync/s before its runs | waited |',
    '|---|---:|---:|---|---|---:|',
  );
  for (const s of ran) {
    const cpu = s.conditions.map((c) => `${Math.round(c.otherCpu * 100)}%`).join(' / ');
    const fs = s.conditions.map((c) => int(c.fdatasyncPerSecond)).join(' / ');
    const waited = Math.round(s.conditions.reduce((a, c) => a + Math.max(0, c.waitedSeconds), 0));
    p(`| \`${s.id}\` | ${s.runs} | ${Math.round(s.seconds)} | ${cpu} | ${fs} | ${waited} s |`);
  }
  p('');
  return lines.join('\n');
}
