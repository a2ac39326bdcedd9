/**
 * Preload for a process using better-sqlite3 (e.g. the benchmark's server child):
 *   BENCH_SERVER_NODE_ARGS="--import ./bench/profile/sqlite-counter.ts"
 * Counts outer `transaction(fn).immediate()` calls (Ballast's group commits), the jobs each one
 * carried (nested savepoint transactions) and their time, and writes a summary every second to
 * /tmp/sqlite-counter-<pid>.txt.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';

let outer = 0;
let nested = 0;
let ms = 0;
const sizes = new Map<number, number>();
let current = 0;
const proto = BetterSqlite3.prototype as unknown as {
  transaction: (fn: (...a: unknown[]) => unknown) => unknown;
};
const original = proto.transaction;
proto.transaction = function (this: unknown, fn) {
  const tx = original.call(this, fn) as ((...a: unknown[]) => unknown) & {
    immediate: (...a: unknown[]) => unknown;
  };
  const wrapper = ((...args: unknown[]) => {
    current++;
    nested++;
    return tx(...args);
  }) as unknown as Record<string, unknown>;
  wrapper.immediate = (...args: unknown[]) => {
    const t = performance.now();
    current = 0;
    try {
      return tx.immediate(...args);
    } finally {
      ms += performance.now() - t;
      outer++;
      sizes.set(current, (sizes.get(current) ?? 0) + 1);
    }
  };
  return wrapper;
};
const file = `/tmp/sqlite-counter-${process.pid}.txt`;
setInterval(() => {
  const hist = [...sizes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  writeFileSync(
    file,
    `group commits ${outer}, jobs ${nested}, ${(nested / Math.max(1, outer)).toFixed(2)} jobs each, ${ms.toFixed(0)} ms inside (${(ms / Math.max(1, outer)).toFixed(3)} ms each)\njobs per commit: ${hist}\n`,
  );
}, 1000).unref();
