/**
 * Where does dispatch spend its time? Puts N events with dispatch off, then dispatches them in a
 * loop and reports the rate and CPU split (this process vs PostgreSQL). Run by hand:
 *   npx tsx bench/bus/profile-dispatch.ts [sqlite|postgres] [N]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBallast } from '../../src/ballast.js';
import { dropSchema, pgUrlWith } from '../queue/services.js';
import { bounded } from '../queue/workload.js';

const store = process.argv[2] ?? 'postgres';
const n = Number(process.argv[3] ?? 20_000);
const schema = `prof_dispatch_${process.pid}`;
const url =
  store === 'sqlite'
    ? `sqlite:${join(mkdtempSync(join(tmpdir(), 'prof-')), 'p.db')}`
    : pgUrlWith('schema', schema);
const b = await openBallast({ store: url, retentionSweepMs: 0, bus: false });
await b.queues.create('sink');
await b.bus.putRule('r', { eventPattern: { source: ['bench'] } });
await b.bus.putTargets('r', [{ id: 'q', arn: b.queues.arn('sink') }]);
await bounded(n / 10, 32, async (i) => {
  await b.bus.putEvents(
    Array.from({ length: 10 }, (_, j) => ({
      source: 'bench',
      detailType: 'x',
      detail: JSON.stringify({ n: i * 10 + j, pad: 'x'.repeat(150) }),
    })),
  );
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let total = 0;
for (;;) {
  const k = await b.bus.dispatchOnce();
  if (k === 0) break;
  total += k;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
  `${store}: dispatched ${total} in ${ms.toFixed(0)} ms = ${Math.round(total / (ms / 1000))}/s; this process ${(((cpu.user + cpu.system) / 1000 / total) * 1000).toFixed(1)} µs/event`,
);
await b.close();
if (store !== 'sqlite') await dropSchema(schema);
