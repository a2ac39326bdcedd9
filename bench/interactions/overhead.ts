/**
 * `npm run bench -- interactions-overhead`: what a policy costs per call when the dependency
 * answers at once — Ballast's hard-real-time interaction next to cockatiel and opossum, each as
 * configured in the interactions benchmark, and a direct call. Ballast is measured from its build
 * (`dist/`, compiled here first), as users run it; the peers from node_modules.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import type * as Interactions from '../../src/interactions/index.js';
import type { MachineFacts } from '../queue/machine.js';
import { packageVersion, ROOT } from '../queue/versions.js';
import { median } from '../queue/workload.js';

export interface OverheadResult {
  startedAt: Date;
  calls: number;
  rounds: number;
  /** Per arm: its configuration and ns per call in each round. */
  arms: { id: string; config: string; nsPerCall: number[] }[];
  versions: Record<string, string>;
}

const answer = async (): Promise<number> => 1;

export async function runOverheadBench(
  calls: number,
  rounds: number,
  log: (line: string) => void,
): Promise<OverheadResult> {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
    ],
    { stdio: 'inherit' },
  );
  const ballast = (await import(
    pathToFileURL(join(ROOT, 'dist', 'interactions', 'index.js')).href
  )) as typeof Interactions;
  const full = ballast.defineInteraction({
    name: 'overhead',
    kind: 'hard-real-time',
    deadlineMs: 500,
    attemptTimeoutMs: 200,
    idempotent: true,
    retry: { maxAttempts: 3 },
  });
  const minimal = ballast.defineInteraction({
    name: 'minimal',
    kind: 'hard-real-time',
    deadlineMs: 500,
    breaker: false,
  });
  const cockatielFull = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }),
    timeout(200, TimeoutStrategy.Aggressive),
  );
  const cockatielNoTimeout = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }),
  );
  const opossum = new CircuitBreaker(answer, {
    timeout: 200,
    errorThresholdPercentage: 50,
    resetTimeout: 1000,
  });
  const arms: { id: string; config: string; run: () => Promise<unknown> }[] = [
    { id: 'direct', config: 'the function itself, no policy', run: answer },
    {
      id: 'ballast',
      config:
        "`defineInteraction({ kind: 'hard-real-time', deadlineMs: 500, attemptTimeoutMs: 200, idempotent: true, retry: { maxAttempts: 3 } })`: deadline, attempt timeout, retries with budget, default breaker",
      run: () => full.call(answer),
    },
    {
      id: 'ballast (deadline only)',
      config: "`defineInteraction({ kind: 'hard-real-time', deadlineMs: 500, breaker: false })`",
      run: () => minimal.call(answer),
    },
    {
      id: 'cockatiel',
      config: 'retry (2) + ConsecutiveBreaker(5) + aggressive timeout 200 ms, wrapped',
      run: () => cockatielFull.execute(answer),
    },
    {
      id: 'cockatiel (no timeout)',
      config: 'retry (2) + ConsecutiveBreaker(5), wrapped',
      run: () => cockatielNoTimeout.execute(answer),
    },
    {
      id: 'opossum',
      config:
        '`new CircuitBreaker(fn, { timeout: 200, errorThresholdPercentage: 50, resetTimeout: 1000 })`, `fire()`',
      run: () => opossum.fire(),
    },
  ];
  const results = arms.map((a) => ({ id: a.id, config: a.config, nsPerCall: [] as number[] }));
  // Warm-up round (JIT), then measured rounds; arms interleaved so drift hits them alike.
  for (let round = -1; round < rounds; round++) {
    for (const [k, arm] of arms.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await arm.run();
      const ns = ((performance.now() - t0) * 1e6) / calls;
      if (round >= 0) results[k]!.nsPerCall.push(ns);
    }
    if (round >= 0)
      log(
        `  round ${round + 1}: ${results.map((r) => `${r.id} ${Math.round(r.nsPerCall.at(-1)!)} ns`).join(', ')}`,
      );
  }
  opossum.shutdown();
  return {
    startedAt: new Date(),
    calls,
    rounds,
    arms: results,
    versions: { cockatiel: packageVersion('cockatiel'), opossum: packageVersion('opossum') },
  };
}

export function overheadMarkdown(
  r: OverheadResult,
  machine: MachineFacts,
  command: string,
  source: string,
): string {
  const ns = (a: OverheadResult['arms'][number]) => median(a.nsPerCall);
  const of = (id: string) => r.arms.find((a) => a.id === id)!;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines = [
    '## Interactions: overhead per call',
    '',
    `Generated by \`${command}\` on ${r.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC. Code measured: ${source}.`,
    '',
    `- ${machine.nproc} vCPU (\`${machine.cpuModel}\`), ${machine.memoryGiB} GiB, Node ${machine.node}; load average at start ${machine.loadAverage}. cockatiel ${r.versions.cockatiel}, opossum ${r.versions.opossum}; Ballast from its build (\`dist/\`).`,
    `- ${r.calls.toLocaleString('en-US')} sequential calls of an async function that answers at once, per arm and round; a warm-up round, then ${r.rounds} measured rounds with the arms interleaved; the median is shown. What is measured is the policy's own cost on the success path (timers set and cleared, signals, bookkeeping), not a dependency.`,
    '',
    '| arm | configuration | ns per call (median) | rounds | ÷ cockatiel | ÷ opossum |',
    '|---|---|---:|---|---:|---:|',
    ...r.arms.map(
      (a) =>
        `| ${a.id} | ${a.config} | **${Math.round(ns(a)).toLocaleString('en-US')}** | ${a.nsPerCall.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')} | ${ratio(ns(a), ns(of('cockatiel')))} | ${ratio(ns(a), ns(of('opossum')))} |`,
    ),
    '',
    "Ballast hands the function an AbortSignal only when it reads `context.signal` (an AbortController costs microseconds on Node 20); the deadline itself is one timer per call, set and cleared. opossum has no retries, no deadline propagation and no signal per call; cockatiel's timeout policy makes an AbortController per call.",
    '',
  ];
  return lines.join('\n');
}
