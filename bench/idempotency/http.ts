/**
 * Requests per second of a small JSON POST endpoint on `node:http`, without and with Ballast's
 * idempotency middleware: the server in a child process, the load generator here (keep-alive
 * `node:http` Agent, C connections, each one request in flight, for a fixed time).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../queue/versions.js';
import { percentile } from '../queue/workload.js';
import { type Case, CASES } from './calls.js';
import { freshStore, type StoreKind } from './stores.js';
import { INPUT } from './systems.js';

export const HTTP_SYSTEMS: readonly { id: string; label: string; store: StoreKind | 'none' }[] = [
  { id: 'none', label: 'plain node:http, no idempotency', store: 'none' },
  { id: 'ballast-sqlite', label: 'expressIdempotency, Ballast on SQLite', store: 'sqlite' },
  { id: 'ballast-postgres', label: 'expressIdempotency, Ballast on PostgreSQL', store: 'postgres' },
  { id: 'ballast-redis', label: 'expressIdempotency, Ballast on Redis', store: 'redis' },
];

export interface HttpOptions {
  runs: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/** One case of one server in one run (latencies in ms). */
export interface HttpSample {
  /** 2xx responses per second. */
  perSecond: number;
  requests: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  /** Responses with `Idempotent-Replayed: true`. */
  replayed: number;
  /** Requests that failed without a response. */
  errors: number;
}

export interface HttpSystemResult {
  id: string;
  label: string;
  runs: Record<Case, HttpSample[]>;
  error?: string;
}

const SERVER = join(ROOT, 'bench', 'idempotency', 'http-server.ts');

/** Forks the server child on `args`; resolves with its port once it listens. */
function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SERVER, args, {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the HTTP server child did not start within 30 s: ${stderr.trim()}`));
    }, 30_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve({ child, port: (m as { port: number }).port });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the HTTP server child exited with ${code}: ${stderr.trim().split('\n').slice(0, 5).join(' | ')}`,
        ),
      );
    });
  });
}

/** Asks the child to close its server and store, and waits for it to exit (killed after 10 s). */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.send('stop');
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}

/** One POST /payments with `key` as its Idempotency-Key (a structured-field string). */
function post(
  agent: Agent,
  port: number,
  key: string,
  body: string,
): Promise<{ status: number; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/payments',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': `"${key}"`,
        },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            replayed: res.headers['idempotent-replayed'] === 'true',
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `connections` loops of one request at a time for `seconds` (on `agent`'s kept-alive sockets); the key of each request from `keyOf`. */
async function load(
  agent: Agent,
  port: number,
  seconds: number,
  connections: number,
  keyOf: (conn: number, i: number) => string,
): Promise<HttpSample> {
  const body = JSON.stringify(INPUT);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let replayed = 0;
  let errors = 0;
  let ok = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, conn) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          const r = await post(agent, port, keyOf(conn, i), body);
          latencies.push(performance.now() - t);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status >= 200 && r.status < 300) ok++;
          if (r.replayed) replayed++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const has = latencies.length > 0;
  return {
    perSecond: ok / elapsed,
    requests: latencies.length,
    p50: has ? percentile(latencies, 50) : NaN,
    p99: has ? percentile(latencies, 99) : NaN,
    statuses,
    replayed,
    errors,
  };
}

/** Both cases on one server: a warm-up with new keys, new keys (first execution), then one key again and again (replay). */
async function measureServer(
  port: number,
  o: HttpOptions,
  tag: string,
): Promise<Record<Case, HttpSample>> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  try {
    await load(agent, port, o.warmupSeconds, o.connections, (c, i) => `${tag}-w-${c}-${i}`);
    const first = await load(agent, port, o.seconds, o.connections, (c, i) => `${tag}-f-${c}-${i}`);
    const key = `${tag}-r`;
    const original = await post(agent, port, key, JSON.stringify(INPUT));
    if (original.status !== 200)
      throw new Error(`the first request of the replay key answered ${original.status}`);
    const replay = await load(agent, port, o.seconds, o.connections, () => key);
    return { first, replay };
  } finally {
    agent.destroy();
  }
}

const summary = (s: HttpSample): string =>
  `${Math.round(s.perSecond)}/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, statuses ${JSON.stringify(s.statuses)}, replayed ${s.replayed}${s.errors ? `, ${s.errors} errors` : ''}`;

/** Every server, `runs` times, each run through every server in turn, each on a fresh store. */
export async function runHttp(
  o: HttpOptions,
  runId: string,
  log: (line: string) => void,
): Promise<HttpSystemResult[]> {
  const results: HttpSystemResult[] = HTTP_SYSTEMS.map((s) => ({
    id: s.id,
    label: s.label,
    runs: { first: [], replay: [] },
  }));
  for (let run = 0; run < o.runs; run++) {
    for (const [i, system] of HTTP_SYSTEMS.entries()) {
      const result = results[i]!;
      if (result.error) continue;
      const tag = `${runId}h${run}`;
      const store =
        system.store === 'none' ? undefined : await freshStore(system.store, `${tag}_${i}`);
      try {
        const { child, port } = await startServer(store ? [store.url, store.prefix] : ['plain']);
        try {
          const m = await measureServer(port, o, tag);
          for (const c of CASES) result.runs[c].push(m[c]);
          log(
            `  run ${run + 1}/${o.runs} http ${system.id}: first ${summary(m.first)}; replay ${summary(m.replay)}`,
          );
        } finally {
          await stopServer(child);
        }
      } catch (error) {
        result.error = (error as Error).message;
        log(`  run ${run + 1}/${o.runs} http ${system.id}: FAILED ${result.error}`);
      } finally {
        await store?.dispose();
      }
    }
  }
  return results;
}
