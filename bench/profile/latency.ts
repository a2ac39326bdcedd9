/**
 * Where the send → handler latency of Ballast goes, sample by sample: the benchmark's latency loop
 * with timestamps on the store's send and receive calls, every group commit (SQLite) and the gap
 * before each sample. Prints the percentiles and the slowest samples with their breakdown.
 *   npx tsx bench/profile/latency.ts [sqlite|postgres] [--samples 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { openBallast } from '../../src/ballast.js';
import { quietConditions } from '../queue/machine.js';
import { dropSchema, pgUrlWith } from '../queue/services.js';
import { payload, percentile, sleep } from '../queue/workload.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    samples: { type: 'string', default: '2000' },
    // Diagnostic: turn SQLite's automatic WAL checkpoint off (it runs inside an occasional commit).
    'no-autocheckpoint': { type: 'boolean', default: false },
  },
});
const store = positionals[0] ?? 'sqlite';
const samples = Number(values.samples);

// Every outer SQLite transaction: start, end.
const commits: { start: number; end: number }[] = [];
if (store === 'sqlite') {
  const proto = BetterSqlite3.prototype as unknown as {
    transaction: (fn: (...a: unknown[]) => unknown) => unknown;
  };
  const original = proto.transaction;
  const tuned = new WeakSet<object>();
  proto.transaction = function (this: unknown, fn) {
    if (values['no-autocheckpoint'] && !tuned.has(this as object)) {
      tuned.add(this as object);
      (this as { pragma: (s: string) => unknown }).pragma('wal_autocheckpoint = 0');
    }
    const tx = original.call(this, fn) as unknown as ((...a: unknown[]) => unknown) & {
      immediate: (...a: unknown[]) => unknown;
    };
    const wrapper = ((...args: unknown[]) => tx(...args)) as unknown as Record<string, unknown>;
    wrapper.immediate = (...args: unknown[]) => {
      const start = performance.now();
      try {
        return tx.immediate(...args);
      } finally {
        commits.push({ start, end: performance.now() });
      }
    };
    return wrapper;
  };
}

const quiet = await quietConditions(0.15, 120_000, (l) => console.log(l.trim()));
console.log(
  `machine: other work ${(quiet.otherCpu * 100).toFixed(0)}% CPU, fdatasync ${Math.round(quiet.fdatasyncPerSecond)}/s`,
);
const dir = mkdtempSync(join(tmpdir(), 'ballast-latency-'));
const schema = 'bench_profile_latency';
if (store !== 'sqlite') await dropSchema(schema);
const ballast = await openBallast({
  store: store === 'sqlite' ? `sqlite:${join(dir, 'l.db')}` : pgUrlWith('schema', schema),
  retentionSweepMs: 0,
});
const q = await ballast.queues.create('latency', { visibilityTimeout: 30 });

// Timestamps of the store calls.
const sendDone = new Map<number, number>();
const sendCalled = new Map<number, number>();
let lastReceiveStart = 0;
const receiveStartOf = new Map<number, number>();
{
  const qs = ballast.store.queues as unknown as Record<
    string,
    (...a: unknown[]) => Promise<unknown>
  >;
  const send = qs.send!;
  qs.send = async (...args: unknown[]) => {
    const called = performance.now();
    const body = (args[1] as { body: string }[])[0]!.body;
    const seq = (JSON.parse(body) as { seq: number }).seq;
    sendCalled.set(seq, called);
    const out = await send(...args);
    sendDone.set(seq, performance.now());
    return out;
  };
  const receive = qs.receive!;
  qs.receive = async (...args: unknown[]) => {
    const start = performance.now();
    const out = (await receive(...args)) as { body: string }[];
    for (const m of out) receiveStartOf.set((JSON.parse(m.body) as { seq: number }).seq, start);
    lastReceiveStart = start;
    return out;
  };
}
void lastReceiveStart;

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const waiting = new Map<number, (ms: number, at: number) => void>();
const c = q.consume(
  (m) => {
    const at = performance.now();
    const p = JSON.parse(m.body) as { seq: number; t: number };
    waiting.get(p.seq)?.(at - p.t, at);
  },
  { concurrency: 10, waitTimeSeconds: 1 },
);
interface Sample {
  seq: number;
  gap: number;
  total: number;
  beforeStore: number;
  send: number;
  sendCommit: number;
  sendQueued: number;
  toReceive: number;
  receive: number;
  commitsDuring: number;
  commitMs: number;
}
const got: Sample[] = [];
let gap = 0;
for (let i = 0; i < samples + 20; i++) {
  const seen = new Promise<{ ms: number; at: number }>((resolve) =>
    waiting.set(i, (ms, at) => resolve({ ms, at })),
  );
  const t = performance.now();
  await q.send(JSON.stringify(payload(i, t)));
  const { ms, at } = await seen;
  if (i >= 20) {
    const sd = sendDone.get(i) ?? Number.NaN;
    const rs = receiveStartOf.get(i) ?? Number.NaN;
    const during = commits.filter((x) => x.end > t && x.start < at);
    got.push({
      seq: i,
      gap,
      total: ms,
      beforeStore: (sendCalled.get(i) ?? Number.NaN) - t,
      ...(() => {
        const called = sendCalled.get(i) ?? Number.NaN;
        const own = commits.find((x) => x.start >= called && x.end <= sd);
        return own
          ? { sendCommit: own.end - own.start, sendQueued: own.start - called }
          : { sendCommit: Number.NaN, sendQueued: Number.NaN };
      })(),
      send: sd - (sendCalled.get(i) ?? Number.NaN),
      toReceive: rs - sd,
      receive: at - rs,
      commitsDuring: during.length,
      commitMs: during.reduce((a, x) => a + (x.end - x.start), 0),
    });
  }
  gap = Math.random() * 20;
  await sleep(gap);
}
loop.disable();
await c.stop();
const totals = got.map((s) => s.total);
console.log(
  `${store}: ${got.length} samples, p50 ${percentile(totals, 50).toFixed(2)} ms, p99 ${percentile(totals, 99).toFixed(2)} ms, max ${Math.max(...totals).toFixed(2)} ms`,
);
const part = (k: keyof Sample) =>
  `${k} p50 ${percentile(
    got.map((s) => s[k]),
    50,
  ).toFixed(3)} / p99 ${percentile(
    got.map((s) => s[k]),
    99,
  ).toFixed(3)}`;
console.log(`  ${part('sendQueued')}; ${part('sendCommit')}`);
console.log(
  `  ${part('beforeStore')}; ${part('send')}; ${part('toReceive')}; ${part('receive')} ms`,
);
const durations = commits.map((x) => x.end - x.start);
console.log(
  `  group commits: ${durations.length}, p50 ${percentile(durations, 50).toFixed(3)} ms, p99 ${percentile(durations, 99).toFixed(3)} ms, p99.9 ${percentile(durations, 99.9).toFixed(3)} ms, max ${Math.max(...durations).toFixed(2)} ms`,
);
console.log(
  `  event loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(2)} ms, max ${(loop.max / 1e6).toFixed(2)} ms`,
);
const slow = [...got].sort((a, b) => b.total - a.total).slice(0, Math.ceil(got.length / 50));
console.log(
  `slowest 2% (${slow.length}): gap before (ms) | total | send (commit) | commit→receive | receive→handler | commits overlapping`,
);
for (const s of slow.slice(0, 15)) {
  console.log(
    `  gap ${s.gap.toFixed(2).padStart(5)} | ${s.total.toFixed(2).padStart(5)} | ${s.send.toFixed(2).padStart(5)} | ${s.toReceive.toFixed(2).padStart(5)} | ${s.receive.toFixed(2).padStart(5)} | ${s.commitsDuring} (${s.commitMs.toFixed(2)} ms)`,
  );
}
const smallGap = got.filter((s) => s.gap < 1);
console.log(
  `samples after a gap < 1 ms: ${smallGap.length}, their p50 ${
    smallGap.length
      ? percentile(
          smallGap.map((s) => s.total),
          50,
        ).toFixed(2)
      : '-'
  } ms; slowest 2% with gap < 1 ms: ${slow.filter((s) => s.gap < 1).length}`,
);
await ballast.close();
rmSync(dir, { recursive: true, force: true });
if (store !== 'sqlite') await dropSchema(schema);
