/**
 * Large events under pressure (issue 12, items 2 and 3), measured on a real `ballast serve`:
 *
 * - `startup`: 200 events of ~0.9 MB wait in the inbox; the server restarts. How long until it
 *   answers /healthz, how long until the backlog is dispatched, peak RSS.
 * - `pause`: 300 rules; 200 PutEvents of ~200 KB from 16 clients while a probe client calls
 *   GetQueueUrl every 20 ms (the start-up scenario probes the same way while the backlog drains). The probe's latency (p50 / p99 / max) is how long other clients were held up.
 *
 * `npx tsx bench/bus/backlog.ts --root DIR --scenario startup|pause [--rules N]` runs the Ballast
 * checkout in DIR (default: this one), so two commits can be compared on one machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    scenario: { type: 'string' },
    rules: { type: 'string' },
    events: { type: 'string' },
    clients: { type: 'string' },
  },
});
const root = resolve(values.root ?? join(import.meta.dirname, '../..'));
const scenario = values.scenario ?? 'startup';
const EVENTS = Number(values.events ?? 200);
/** Concurrent PutEvents clients in the pause scenario. */
const CLIENTS = Number(values.clients ?? 16);

const peakRssMb = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

function serve(store: string): Promise<{ url: string; proc: ChildProcess; started: number }> {
  const started = performance.now();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--port', '0', '--store', store],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: root,
    },
  );
  return new Promise((res, rej) => {
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving SQS and EventBridge on (http:\/\/\S+)/.exec(err);
      if (m) res({ url: m[1]!, proc, started });
    });
    proc.on('exit', (code) => rej(new Error(`serve exited ${code}: ${err}`)));
  });
}

async function call(url: string, target: string, body: unknown): Promise<Record<string, unknown>> {
  const json = target.startsWith('AWSEvents') ? '1.1' : '1.0';
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': `application/x-amz-json-${json}`, 'x-amz-target': target },
    body: JSON.stringify(body),
  });
  const out = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${target}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

async function queued(url: string): Promise<number> {
  const { QueueUrl } = await call(url, 'AmazonSQS.GetQueueUrl', { QueueName: 'sink' });
  const { Attributes } = await call(url, 'AmazonSQS.GetQueueAttributes', {
    QueueUrl,
    AttributeNames: ['ApproximateNumberOfMessages'],
  });
  return Number((Attributes as Record<string, string>).ApproximateNumberOfMessages);
}

async function setUp(url: string, rules: number, kinds: number): Promise<void> {
  await call(url, 'AmazonSQS.CreateQueue', { QueueName: 'sink' });
  for (let i = 0; i < rules; i++) {
    await call(url, 'AWSEvents.PutRule', {
      Name: `r${i}`,
      EventPattern: JSON.stringify({ source: ['load'], detail: { kind: [`k${i % kinds}`] } }),
    });
    await call(url, 'AWSEvents.PutTargets', {
      Rule: `r${i}`,
      Targets: [
        { Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:sink', InputPath: '$.detail.id' },
      ],
    });
  }
}

/** Calls GetQueueUrl every 20 ms until stopped; resolves with the latencies, ms. */
function startProbe(url: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t0 = performance.now();
      await call(url, 'AmazonSQS.GetQueueUrl', { QueueName: 'sink' });
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return latencies;
    },
  };
}

/** p50, p99 and max of latencies, ms (one decimal). */
function quantiles(latencies: number[]): {
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
} {
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number): number =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
  return { probes: sorted.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) };
}

const detail = (id: number, kind: string, bytes: number): string =>
  JSON.stringify({ id, kind, pad: 'x'.repeat(bytes) });

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

async function startup(): Promise<void> {
  const rules = Number(values.rules ?? 1);
  const dir = mkdtempSync(join(tmpdir(), 'ballast-backlog-'));
  const store = `sqlite:${join(dir, 'b.db')}`;
  try {
    const first = await serve(store);
    await setUp(first.url, rules, 1);
    first.proc.kill('SIGTERM');
    await new Promise((r) => first.proc.once('exit', r));
    // The backlog, written with this checkout's library without dispatching it.
    const { openBallast } = (await import(
      pathToFileURL(join(root, 'src/ballast.ts')).href
    )) as typeof import('../../src/ballast.js');
    const seed = await openBallast({ store, retentionSweepMs: 0, bus: false });
    for (let i = 0; i < EVENTS; i++) {
      const r = await seed.bus.putEvents([
        { source: 'load', detailType: 'T', detail: detail(i, 'k0', 900_000) },
      ]);
      if (r.failedEntryCount > 0) throw new Error(JSON.stringify(r.entries));
    }
    await seed.close();
    const { url, proc, started } = await serve(store);
    const listening = performance.now() - started;
    await until(async () => (await fetch(`${url}/healthz`)).status === 200, 120_000);
    const healthy = performance.now() - started;
    const probe = startProbe(url);
    const target = EVENTS * rules;
    const done = await until(async () => (await queued(url)) >= target, 300_000);
    const drained = performance.now() - started;
    const whileDraining = quantiles(await probe.stop());
    console.log(
      JSON.stringify({
        scenario,
        root,
        rules,
        events: EVENTS,
        bannerMs: Math.round(listening),
        healthzMs: Math.round(healthy),
        drainedMs: done ? Math.round(drained) : null,
        peakRssMb: peakRssMb(proc.pid!),
        probeWhileDraining: whileDraining,
      }),
    );
    proc.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pause(): Promise<void> {
  const rules = Number(values.rules ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'ballast-pause-'));
  const store = `sqlite:${join(dir, 'b.db')}`;
  try {
    const { url, proc } = await serve(store);
    await setUp(url, rules, 10);
    const probe = startProbe(url);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < EVENTS) {
          const i = next++;
          await call(url, 'AWSEvents.PutEvents', {
            Entries: [
              { Source: 'load', DetailType: 'T', Detail: detail(i, `k${i % 10}`, 200_000) },
            ],
          });
        }
      }),
    );
    const putMs = performance.now() - t0;
    const target = EVENTS * (rules / 10);
    const done = await until(async () => (await queued(url)) >= target, 300_000);
    const drainedMs = performance.now() - t0;
    const stats = quantiles(await probe.stop());
    console.log(
      JSON.stringify({
        scenario,
        root,
        rules,
        events: EVENTS,
        clients: CLIENTS,
        ...stats,
        putMs: Math.round(putMs),
        drainedMs: done ? Math.round(drainedMs) : null,
        peakRssMb: peakRssMb(proc.pid!),
      }),
    );
    proc.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await (scenario === 'pause' ? pause() : startup());
