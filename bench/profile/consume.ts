/**
 * Where does a Ballast consume spend its time? Drains a backlog like the benchmark's consume
 * phase, with counters on every store call. Not part of `npm run bench`; run by hand:
 *
 *   npx tsx bench/profile/consume.ts [sqlite|postgres] [--messages 20000] [--concurrency 10] [--phase consume|e2e|single10]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/consume.ts sqlite
 *
 * Prints: rate, receives (count, messages per receive), store transactions (count, ms),
 * statements by total time, event-loop utilisation.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openBallast } from '../../src/ballast.js';
import { Queue } from '../../src/queue/queue.js';
import { quietConditions } from '../queue/machine.js';
import { dropSchema, pgUrlWith } from '../queue/services.js';
import { bounded, chunks, payloads, waitFor } from '../queue/workload.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '10' },
    phase: { type: 'string', default: 'consume' },
    // Diagnostic: split the concurrency over this many consumers (each has its own claim loop).
    consumers: { type: 'string', default: '1' },
  },
});
const store = positionals[0] ?? 'sqlite';
const N = Number(values.messages);
const concurrency = Number(values.concurrency);

/** CPU ms used so far by every process named postgres (all PostgreSQL backends of the machine). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // exited
    }
  }
  return ticks * 10;
}

// ---- counters -------------------------------------------------------------------------------
const stats = new Map<string, { n: number; ms: number }>();
const count = (key: string, ms: number): void => {
  const s = stats.get(key) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += ms;
  stats.set(key, s);
};
const short = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 90);

if (store === 'sqlite') {
  // Every outer group-commit transaction is `db.transaction(fn).immediate()`; statements are cached Statement objects.
  const proto = BetterSqlite3.prototype as unknown as {
    transaction: (fn: (...a: unknown[]) => unknown) => Record<string, unknown>;
  };
  const original = proto.transaction;
  proto.transaction = function (this: unknown, fn) {
    const tx = original.call(this, fn) as unknown as ((...a: unknown[]) => unknown) & {
      immediate: (...a: unknown[]) => unknown;
    };
    const wrapper = ((...args: unknown[]) => tx(...args)) as unknown as Record<string, unknown>;
    wrapper.immediate = (...args: unknown[]) => {
      const t = performance.now();
      try {
        return tx.immediate(...args);
      } finally {
        count('TX (BEGIN IMMEDIATE … COMMIT, incl. fsync)', performance.now() - t);
      }
    };
    return wrapper;
  };
  const probe = new BetterSqlite3(':memory:');
  const stmtProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  probe.close();
  for (const method of ['run', 'get', 'all'] as const) {
    const orig = stmtProto[method]!;
    stmtProto[method] = function (this: { source: string }, ...args: unknown[]) {
      const t = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        count(`  ${short(this.source)}`, performance.now() - t);
      }
    };
  }
} else {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const orig = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '?');
    const t = performance.now();
    // pg.Pool#query calls client.query(text, values, callback): time the callback form too.
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (...cbArgs: unknown[]) => {
        count(`  ${cbArgs[0] ? 'ERR ' : ''}${short(text)}`, performance.now() - t);
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
      return orig.apply(this, args);
    }
    const r = orig.apply(this, args);
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      (r as Promise<unknown>).then(
        () => count(`  ${short(text)}`, performance.now() - t),
        () => count(`  ERR ${short(text)}`, performance.now() - t),
      );
    }
    return r;
  };
}

const receiveSizes: number[] = [];
{
  const qp = Queue.prototype as unknown as { receiveUpTo: (...a: unknown[]) => Promise<unknown[]> };
  const orig = qp.receiveUpTo;
  qp.receiveUpTo = async function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    const r = await orig.apply(this, args);
    count(`receiveUpTo (max ${String(args[0])})`, performance.now() - t);
    receiveSizes.push(r.length);
    return r;
  };
  for (const m of ['delete', 'changeVisibility', 'depth', 'record', 'send', 'sendBatch'] as const) {
    const p = Queue.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const o = p[m]!;
    p[m] = async function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return await o.apply(this, args);
      } finally {
        count(`queue.${m}()`, performance.now() - t);
      }
    };
  }
}

// ---- run ------------------------------------------------------------------------------------
const quiet = await quietConditions(0.15, 120_000, (l) => console.log(l.trim()));
console.log(
  `machine: other work ${(quiet.otherCpu * 100).toFixed(0)}% CPU, fdatasync ${Math.round(quiet.fdatasyncPerSecond)}/s`,
);
const dir = mkdtempSync(join(tmpdir(), 'ballast-profile-'));
const schema = 'bench_profile';
if (store !== 'sqlite') await dropSchema(schema);
const ballast = await openBallast({
  store: store === 'sqlite' ? `sqlite:${join(dir, 'p.db')}` : pgUrlWith('schema', schema),
  retentionSweepMs: 0,
});
const q = await ballast.queues.create('profile', { visibilityTimeout: 30 });
const bulk = async (): Promise<void> => {
  const batches = chunks(payloads(N), 10);
  await bounded(batches.length, 100, async (i) => {
    await q.sendBatch(batches[i]!.map((p, j) => ({ id: String(j), body: JSON.stringify(p) })));
  });
};

let handled = 0;
const start = async (): Promise<() => Promise<void>> => {
  const n = Number(values.consumers);
  const cs = Array.from({ length: n }, () =>
    q.consume(
      (m) => {
        JSON.parse(m.body);
        handled++;
      },
      { concurrency: Math.max(1, Math.round(concurrency / n)), waitTimeSeconds: 1 },
    ),
  );
  return async () => {
    await Promise.all(cs.map((c) => c.stop()));
  };
};

if (values.phase === 'consume') await bulk();
stats.clear();
const pg0 = postgresCpuMs();
const self0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const t0 = performance.now();
let stop: (() => Promise<void>) | undefined;
if (values.phase === 'single10') {
  await bounded(N, 10, async (i) => void (await q.send(JSON.stringify(payloads(1)[0]!) + i)));
} else {
  stop = await start();
  if (values.phase === 'e2e') await bulk();
  await waitFor(() => handled >= N, 1, 300_000);
  await waitFor(
    async () => {
      const d = await ballast.store.queues.stats((await q.record()).id);
      return d.visible + d.inFlight + d.delayed === 0;
    },
    5,
    60_000,
  );
}
const elapsed = performance.now() - t0;
const elu = performance.eventLoopUtilization(elu0);
const pgCpu = postgresCpuMs() - pg0;
const selfCpu = process.cpuUsage(self0);
await stop?.();

console.log(
  `${store} ${values.phase}: ${N} messages in ${(elapsed / 1000).toFixed(2)} s = ${Math.round((N * 1000) / elapsed)}/s; event loop busy ${(elu.utilization * 100).toFixed(0)}%`,
);
console.log(
  `CPU: this process ${((selfCpu.user + selfCpu.system) / 1000).toFixed(0)} ms (${((selfCpu.user + selfCpu.system) / N).toFixed(1)} µs/msg); PostgreSQL processes ${pgCpu.toFixed(0)} ms (${((pgCpu * 1000) / N).toFixed(1)} µs/msg); wall ${elapsed.toFixed(0)} ms × 2 cores`,
);
if (receiveSizes.length > 0) {
  const hist = new Map<number, number>();
  for (const s of receiveSizes) hist.set(s, (hist.get(s) ?? 0) + 1);
  console.log(
    `receives: ${receiveSizes.length}, ${(receiveSizes.reduce((a, b) => a + b, 0) / receiveSizes.length).toFixed(2)} messages each; sizes ${[
      ...hist.entries(),
    ]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k}:${v}`)
      .join(' ')}`,
  );
}
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`${'calls'.padStart(8)} ${'total ms'.padStart(9)} ${'avg ms'.padStart(7)}  what`);
for (const [k, s] of rows.slice(0, 25))
  console.log(
    `${String(s.n).padStart(8)} ${s.ms.toFixed(0).padStart(9)} ${(s.ms / s.n).toFixed(3).padStart(7)}  ${k}`,
  );

await ballast.close();
rmSync(dir, { recursive: true, force: true });
if (store !== 'sqlite') await dropSchema(schema);
