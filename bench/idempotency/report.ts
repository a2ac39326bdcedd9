/** The idempotency section of docs/benchmarks.md. */
import type { MachineFacts } from '../queue/machine.js';
import { median } from '../queue/workload.js';
import { type Case, type CallSample, type CallSystemResult, CASES } from './calls.js';
import type { HttpSample } from './http.js';
import { type IdempotencyBenchResult, isDefault } from './run.js';

/** Figures for Powertools on Redis given in the issue, for context only (ms). */
const ISSUE_POWERTOOLS_MS: Record<Case, number> = { first: 1.5, replay: 0.26 };
const TARGET_RATIO = 0.5;
const POWERTOOLS = 'powertools-redis';

interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

const spread = (values: number[]): Spread | undefined =>
  values.length === 0
    ? undefined
    : {
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        n: values.length,
      };

const num = (n: number): string =>
  !Number.isFinite(n)
    ? '—'
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : n.toFixed(2);

const show = (s: Spread | undefined, f: (n: number) => string = num): string =>
  !s ? '—' : s.n > 1 ? `${f(s.median)} [${f(s.min)}–${f(s.max)}]` : f(s.median);

const ratio = (n: number): string => `${n.toFixed(n < 1 ? 3 : 2)}×`;

/** Per run: a system's value minus the baseline's in the same run. */
function overheads(
  r: CallSystemResult,
  baseline: CallSystemResult | undefined,
  c: Case,
  field: 'p50' | 'p99',
): number[] {
  if (!baseline) return [];
  return r.runs[c].flatMap((s, i) => {
    const b = baseline.runs[c][i];
    return b ? [s[field] - b[field]] : [];
  });
}

/** Per run: a system's overhead divided by Powertools' in the same run. */
function ratios(
  result: IdempotencyBenchResult,
  id: string,
  c: Case,
  field: 'p50' | 'p99',
): number[] {
  const base = result.calls.find((s) => s.id === 'none');
  const mine = result.calls.find((s) => s.id === id);
  const theirs = result.calls.find((s) => s.id === POWERTOOLS);
  if (!mine || !theirs) return [];
  const a = overheads(mine, base, c, field);
  const b = overheads(theirs, base, c, field);
  return a.flatMap((x, i) => (b[i] !== undefined && b[i]! > 0 ? [x / b[i]!] : []));
}

const sample = (
  runs: CallSample[] | HttpSample[],
  field: 'p50' | 'p99' | 'perSecond',
): Spread | undefined => spread(runs.map((s) => s[field]));

/** A markdown table: the header, then one row per system (a failed system says why instead). */
function table(
  header: string[],
  systems: readonly { id: string; error?: string }[],
  cells: (index: number) => string[],
): string[] {
  const lines = [
    `| ${header.join(' | ')} |`,
    `|---|${header
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  systems.forEach((s, i) => {
    const row = s.error
      ? [
          `\`${s.id}\``,
          `failed: ${s.error.replace(/\|/g, '\\|').slice(0, 200)}`,
          ...header.slice(2).map(() => ''),
        ]
      : cells(i);
    lines.push(`| ${row.join(' | ')} |`);
  });
  return lines;
}

function callTable(result: IdempotencyBenchResult, c: Case): string[] {
  const base = result.calls.find((s) => s.id === 'none');
  const header = [
    'system',
    'p50 µs',
    'p99 µs',
    'calls/s',
    'overhead p50 µs',
    'overhead p99 µs',
    "overhead ÷ Powertools' (p50)",
    '(p99)',
    'Redis commands per call',
  ];
  return table(header, result.calls, (i) => {
    const s = result.calls[i]!;
    const isBase = s.id === 'none';
    const vs = (field: 'p50' | 'p99'): string =>
      isBase || s.id === POWERTOOLS ? '—' : show(spread(ratios(result, s.id, c, field)), ratio);
    const over = (field: 'p50' | 'p99'): string =>
      isBase ? '(baseline)' : show(spread(overheads(s, base, c, field)));
    const trips = !s.roundTrips
      ? '—'
      : s.roundTrips[c].perCall === 0
        ? '0'
        : `${num(s.roundTrips[c].perCall)} (${s.roundTrips[c].commands})`;
    return [
      `\`${s.id}\`: ${s.label}`,
      show(sample(s.runs[c], 'p50')),
      show(sample(s.runs[c], 'p99')),
      show(sample(s.runs[c], 'perSecond')),
      over('p50'),
      over('p99'),
      vs('p50'),
      vs('p99'),
      trips,
    ];
  });
}

function httpTable(result: IdempotencyBenchResult): string[] {
  const plain = result.http.find((s) => s.id === 'none');
  const header = [
    'server',
    'first execution req/s',
    'p50 ms',
    'p99 ms',
    'vs plain',
    'replay req/s',
    'p50 ms',
    'p99 ms',
    'vs plain',
  ];
  return table(header, result.http, (i) => {
    const s = result.http[i]!;
    const cells = CASES.flatMap((c) => {
      const rate = sample(s.runs[c], 'perSecond');
      const base = plain ? spread(plain.runs[c].map((p) => p.perSecond)) : undefined;
      const vs =
        s.id === 'none' || !rate || !base
          ? '—'
          : `${Math.round((rate.median / base.median) * 100)}%`;
      return [show(rate), show(sample(s.runs[c], 'p50')), show(sample(s.runs[c], 'p99')), vs];
    });
    return [`\`${s.id}\`: ${s.label}`, ...cells];
  });
}

export interface Target {
  name: string;
  measured: string;
  ok: boolean | undefined;
}

/** Ballast's p50 overhead on Redis and SQLite at most half of Powertools' on the same Redis, per case. */
export function targets(result: IdempotencyBenchResult): Target[] {
  const out: Target[] = [];
  const base = result.calls.find((s) => s.id === 'none');
  const theirs = result.calls.find((s) => s.id === POWERTOOLS);
  for (const id of ['ballast-redis', 'ballast-sqlite']) {
    const mine = result.calls.find((s) => s.id === id);
    for (const c of CASES) {
      const name = `${id}, ${c === 'first' ? 'first execution' : 'replay'}: overhead ≤ ${TARGET_RATIO} × Powertools'`;
      const r50 = spread(ratios(result, id, c, 'p50'));
      if (!mine || !theirs || !r50) {
        out.push({ name, measured: 'not measured', ok: undefined });
        continue;
      }
      const r99 = spread(ratios(result, id, c, 'p99'));
      out.push({
        name,
        measured: `p50 ${show(spread(overheads(mine, base, c, 'p50')))} µs vs ${show(spread(overheads(theirs, base, c, 'p50')))} µs = **${show(r50, ratio)}**; p99 ${show(spread(overheads(mine, base, c, 'p99')))} µs vs ${show(spread(overheads(theirs, base, c, 'p99')))} µs = ${show(r99, ratio)}`,
        ok: r50.median <= TARGET_RATIO,
      });
    }
  }
  return out;
}

const verdict = (ok: boolean | undefined): string =>
  ok === undefined ? 'not measured' : ok ? 'met' : 'missed';

export function textTargets(result: IdempotencyBenchResult): string {
  return targets(result)
    .map(
      (t) =>
        `${verdict(t.ok).toUpperCase().padEnd(12)} ${t.name}: ${t.measured.replace(/\*\*/g, '')}`,
    )
    .join('\n');
}

export function markdown(
  result: IdempotencyBenchResult,
  machine: MachineFacts,
  command: string,
  source: string,
): string {
  const o = result.options;
  const { services: sv } = result;
  const pkg = sv.packages;
  const lines: string[] = [];
  const p = (...l: string[]): void => void lines.push(...l);
  const runs = `${o.runs} run${o.runs > 1 ? 's' : ''}`;
  p('## Idempotency', '');
  p(
    `Generated by \`${command}\` on ${result.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; the whole run took ${Math.round(result.seconds)} s. ` +
      `Every figure is the **median [min–max] of ${runs}**; each run goes through every system in turn, each on a fresh store.`,
    '',
  );
  if (!isDefault(o))
    p(
      '> **Quick or partial run**: not the full workload (see the parameters below). Run `npm run bench -- idempotency` for the full one.',
      '',
    );
  p(`Code measured: ${source}.`, '');

  p('### Machine and versions', '');
  p(
    `- ${machine.nproc} vCPU (\`${machine.cpuModel}\`), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; load average at start ${machine.loadAverage}. ` +
      'The benchmark process, the HTTP server child, PostgreSQL and Redis all share these cores.',
    `- Disk: ${machine.disk}; 4 KiB write + fdatasync: **${Math.round(machine.fdatasyncPerSecond).toLocaleString('en-US')}/s** (≈ ${(1000 / machine.fdatasyncPerSecond).toFixed(2)} ms each) in the temporary directory holding the SQLite files.`,
    `- Ballast ${pkg.ballast} (from \`src/\` via tsx); Powertools \`@aws-lambda-powertools/idempotency\` ${pkg['@aws-lambda-powertools/idempotency']} (commons ${pkg['@aws-lambda-powertools/commons']}) with \`@redis/client\` ${pkg['@redis/client']}; Ballast's Redis store uses ioredis ${pkg.ioredis}, its PostgreSQL store pg ${pkg.pg}, its SQLite store better-sqlite3 ${pkg['better-sqlite3']}.`,
    `- Redis ${sv.redis.version} (same VM; \`appendonly ${sv.redis.appendonly}\`, \`appendfsync ${sv.redis.appendfsync}\`, \`save "${sv.redis.save}"\`); ${sv.postgres.version.split(' on ')[0]} (same VM; \`synchronous_commit=${sv.postgres.synchronousCommit}\`, \`fsync=${sv.postgres.fsync}\`); SQLite ${sv.sqlite} (default durability: WAL; a completed record is acknowledged after its WAL fdatasync).`,
    '',
  );

  p('### Parameters', '');
  p(
    `- Per call: sequential calls (one in flight), each timed with \`performance.now()\`; per case ${o.warmup.toLocaleString('en-US')} warm-up calls, then ${o.samples.toLocaleString('en-US')} samples; p50 and p99 by nearest rank per run; calls/s = samples ÷ the time of the sampled loop. Systems: ${o.systems.map((s) => `\`${s}\``).join(', ')}.`,
    `- HTTP: ${o.connections} keep-alive connections (a \`node:http\` Agent), each with one request in flight, ${o.seconds} s per case after a ${o.warmupSeconds} s warm-up with new keys; the server is a child process (\`bench/idempotency/http-server.ts\`), the load generator the benchmark process.`,
    '',
  );

  for (const c of CASES) {
    p(
      c === 'first'
        ? '### Per call: first execution (a new key every call)'
        : '### Per call: replay (the key of a completed call, again and again)',
      '',
      ...callTable(result, c),
      '',
    );
  }
  p(
    "Overhead = the system's figure − the baseline's in the same run (then median [min–max] over the runs); \"÷ Powertools'\" divides it by `powertools-redis`'s overhead in the same run. " +
      "Redis commands per call were counted once (run 1, 20 calls per case, not timed) with `MONITOR`, counting only commands that name this system's keys and not those a Lua script runs inside Redis: each is one round trip.",
    '',
  );

  if (result.http.length > 0) {
    p(
      '### HTTP endpoint: `POST /payments` (small JSON in, small JSON out)',
      '',
      ...httpTable(result),
      '',
    );
    p(
      '- First execution: a new `Idempotency-Key` on every request. Replay: one key, completed once before the clock starts, on every request (each answered from the store with `Idempotent-Replayed: true`). The plain server ignores the header, so its two cases measure the same thing twice (a view of the noise).',
      '- The body is parsed with `JSON.parse` before the middleware (it fingerprints `req.body`); `expressIdempotency(idem)` with its defaults wraps the handler as `(req, res) => mw(req, res, () => handler(req, res))`.',
    );
    const odd = result.http.flatMap((s) =>
      CASES.flatMap((c) =>
        s.runs[c].flatMap((r, i) => {
          const non2xx = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2'));
          const notReplayed = c === 'replay' && s.id !== 'none' ? r.requests - r.replayed : 0;
          const wrongReplay = c === 'first' ? r.replayed : 0;
          const bits = [
            ...non2xx.map(([code, n]) => `${n} × ${code}`),
            r.errors ? `${r.errors} failed requests` : '',
            notReplayed ? `${notReplayed} not replayed` : '',
            wrongReplay ? `${wrongReplay} replayed` : '',
          ].filter(Boolean);
          return bits.length > 0 ? [`\`${s.id}\` ${c} run ${i + 1}: ${bits.join(', ')}`] : [];
        }),
      ),
    );
    p(
      odd.length > 0
        ? `- **Unexpected answers**: ${odd.join('; ')}.`
        : '- Every request got a 2xx answer, and every replay (and only replays) carried `Idempotent-Replayed: true`.',
      '',
    );
  }

  p('### Targets', '');
  p(
    `Ballast's overhead on Redis and on SQLite at most half of Powertools' on the same Redis, per case, comparing p50 overheads (p99 shown too). The issue's reference figures for Powertools were ~${ISSUE_POWERTOOLS_MS.first} ms (first execution) and ~${ISSUE_POWERTOOLS_MS.replay} ms (replay).`,
    '',
    '| target | measured (Ballast vs Powertools overhead) | verdict |',
    '|---|---|---|',
  );
  for (const t of targets(result)) p(`| ${t.name} | ${t.measured} | **${verdict(t.ok)}** |`);
  const pt = result.calls.find((s) => s.id === POWERTOOLS);
  if (pt && !pt.error) {
    p(
      '',
      `Powertools here: p50 ${CASES.map((c) => `${c === 'first' ? 'first execution' : 'replay'} ${show(sample(pt.runs[c], 'p50'), (n) => (n / 1000).toFixed(3))} ms`).join(', ')} (the issue: ~${ISSUE_POWERTOOLS_MS.first} ms and ~${ISSUE_POWERTOOLS_MS.replay} ms).`,
    );
  }
  const rt = result.roundTrip;
  const ptFirst = spread(
    overheads(
      pt ?? result.calls[0]!,
      result.calls.find((c) => c.id === 'none'),
      'first',
      'p50',
    ),
  );
  if (rt && pt && !pt.error && ptFirst) {
    p(
      '',
      `**The floor under these targets.** One Redis round trip (a \`PING\`, p50, measured in this run) takes ${rt.ioredis.toFixed(0)} µs with ioredis (Ballast's client) and ${rt.redisClient.toFixed(0)} µs with @redis/client (Powertools'). A first execution needs two round trips in any design that records the run before it starts and its result after (a claim, then the result): ${(2 * rt.ioredis).toFixed(0)} µs for Ballast before any work, against a target of ${(TARGET_RATIO * ptFirst.median).toFixed(0)} µs (half of Powertools' ${ptFirst.median.toFixed(0)} µs). Where the floor is above the target, no client-side change can meet it; what Ballast controls is the number of round trips (two for a first execution, one for a replay, where Powertools makes two) and its own work per call.`,
    );
  }
  const relaxed = result.calls.find((s) => s.id === 'ballast-sqlite-normal');
  const relaxedRatio = relaxed && spread(ratios(result, relaxed.id, 'first', 'p50'));
  if (relaxedRatio) {
    p(
      '',
      `**SQLite at the durability Powertools gets from Redis here.** Ballast's default on SQLite makes every completed record durable on disk before answering (an fdatasync); Redis with \`appendfsync ${result.services.redis.appendfsync}\` answers from memory. With \`?synchronous=normal\` (commits survive a process crash, not a power loss — Redis's class) Ballast's first-execution overhead is ${show(relaxedRatio, ratio)} of Powertools'.`,
    );
  }
  p('');

  p('### Method: what each system does per call', '');
  p(
    '- **The same work everywhere**: the handler is `async (input) => ({ id, ok: true, echo: input.amount })`, the input `{ amount: 42, currency: "EUR", customer: "c_123" }` (the same object every call), the key `<run>-f-<n>` (first execution) or one `<run>-r` (replay). The baseline calls the handler directly; every call of every system is checked (the handler ran once per new key and never on a replay; a replay answers the first call\'s reply).',
    "- **Ballast** (`createIdempotency({ store })`, defaults: 24 h TTL, 60 s lease; `idem.run({ key, input }, fn)`): computes the SHA-256 of the input's canonical JSON (the request fingerprint, checked on every replay), then **begin** (insert the record in progress with a lease, or read the existing one) — if acquired, runs the function under a lease heartbeat timer and **completes** (stores the JSON result, guarded by the fence). First execution = begin + complete; replay = begin alone. Redis: each is one Lua script (`EVALSHA`) on one hash; PostgreSQL: one statement each (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, `UPDATE`) — a replay's statement locks and writes nothing; SQLite: begin reads first (a replay ends there, without a transaction) and otherwise writes through the group-commit writer without waiting for an fdatasync; complete resolves after its WAL fdatasync. Redis keys under a per-run prefix (`ballast-bench-idem:<run>:`), a fresh PostgreSQL schema and a fresh SQLite file per run.",
    `- **Powertools** (\`makeIdempotent(fn, { persistenceStore: new CachePersistenceLayer({ client }), config, keyPrefix })\` — in ${pkg['@aws-lambda-powertools/idempotency']} the Redis layer is \`CachePersistenceLayer\` from \`@aws-lambda-powertools/idempotency/cache\` — on an \`@redis/client\` connection; \`config.registerLambdaContext\` with a fake context whose remaining time is 15 min): the key is the MD5 of the whole payload \`{ idempotencyKey, ...input }\` (its default: no \`eventKeyJmesPath\`, no payload validation, so a reused key with another payload is a new key), 1 h expiry. First execution = \`SET key {INPROGRESS} EX NX\`, run, \`SET key {COMPLETED, data} EX\`; replay = the \`SET … NX\` fails, then \`GET key\` and the stored data is returned. Local cache off (its default); the extra row turns \`useLocalCache\` on: a replay is then answered from process memory, without Redis.`,
    '- **Extra rows** (not in the targets): Powertools with `useLocalCache: true` (replays from process memory), and Ballast on SQLite with `?synchronous=normal` (commits without waiting for an fdatasync): the difference from `ballast-sqlite` is what durability per call costs on this disk.',
    "- **Differences that favour Powertools**: it does not fingerprint the request by default (Ballast hashes it on every call and answers 422 for a key reused with another request), keeps no lease or fence, and on Redis its records are plain strings (Ballast's a hash written by a script that also reads the server clock).",
    `- **Durability differs by store**: on Redis neither system waits for a disk (this server: \`appendonly ${sv.redis.appendonly}\`; Redis answers from memory either way), while Ballast on SQLite and PostgreSQL answers only after its commit is on disk (an fdatasync of the SQLite WAL; PostgreSQL's WAL flush with \`synchronous_commit=${sv.postgres.synchronousCommit}\`).`,
    '- All stores and the Node processes share one 2-core VM; the figures are for comparing systems measured together in this run, not absolute capacities.',
    '',
  );
  return lines.join('\n');
}
