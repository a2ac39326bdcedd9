/**
 * CPU per message of the server end-to-end phase, client (this process, @aws-sdk/client-sqs) and
 * server (the child), from process.cpuUsage and /proc/<pid>/stat.
 * Usage: npx tsx bench/profile/server-e2e.ts [messages]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { quietConditions } from '../queue/machine.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endToEnd } from '../queue/scenarios/end-to-end.js';
import { ballastServer } from '../queue/systems/ballast-server.js';

const n = Number(process.argv[2] ?? 20000);

// Count SDK requests by command, and how many messages each ReceiveMessage returned.
const requests = new Map<string, number>();
const received = new Map<number, number>();
{
  const proto = SQSClient.prototype as unknown as {
    send: (cmd: { constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown>;
  };
  const orig = proto.send;
  proto.send = async function (this: unknown, cmd, ...rest) {
    const name = cmd.constructor.name.replace(/Command$/, '');
    requests.set(name, (requests.get(name) ?? 0) + 1);
    const out = await orig.call(this, cmd, ...rest);
    if (name === 'ReceiveMessage') {
      const k = ((out as { Messages?: unknown[] }).Messages ?? []).length;
      received.set(k, (received.get(k) ?? 0) + 1);
    }
    return out;
  };
}
const ticks = 100; // USER_HZ

function serverChildCpuMs(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server-child')) continue;
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
    } catch {
      // gone
    }
  }
  return Number.NaN;
}

const quiet = await quietConditions(0.15, 120_000, (l) => console.log(l.trim()));
console.log(
  `machine: other work ${(quiet.otherCpu * 100).toFixed(0)}% CPU, fdatasync ${Math.round(quiet.fdatasyncPerSecond)}/s`,
);
const run = await ballastServer.open(1);
for (const round of [1, 2]) {
  const q = await run.queue(`e2e${round}`);
  requests.clear();
  received.clear();
  const c0 = process.cpuUsage();
  const s0 = serverChildCpuMs();
  const t0 = performance.now();
  const r = await endToEnd(q, n, 10, 120_000);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const s = serverChildCpuMs() - s0;
  console.log(
    `e2e ${n}: ${Math.round(r.perSecond)}/s; wall ${wall.toFixed(0)} ms; client CPU ${((c.user + c.system) / 1000).toFixed(0)} ms (${(((c.user + c.system) / 1000 / n) * 1000).toFixed(0)} µs/msg); server CPU ${s.toFixed(0)} ms (${((s / n) * 1000).toFixed(0)} µs/msg)`,
  );
  console.log(`  requests: ${[...requests].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `  messages per ReceiveMessage: ${[...received]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k}:${v}`)
      .join(' ')}`,
  );
  await q.dispose();
}
await run.close();
