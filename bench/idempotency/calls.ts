/**
 * Per-call cost of idempotency: sequential calls (one in flight), each timed with
 * `performance.now()`, for a first execution (a new key every call) and a replay (the key of a
 * completed call, again and again).
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../queue/services.js';
import { percentile } from '../queue/workload.js';
import { type CallSystem, type CallTarget, Handler, INPUT } from './systems.js';

export const CASES = ['first', 'replay'] as const;
export type Case = (typeof CASES)[number];

/** One case of one system in one run, times in microseconds. */
export interface CallSample {
  p50: number;
  p99: number;
  perSecond: number;
  samples: number;
}

/** Redis commands one call sends (not counting those a Lua script runs inside Redis). */
export interface RoundTrips {
  perCall: number;
  commands: string;
}

export interface CallSystemResult {
  id: string;
  label: string;
  extra: boolean;
  /** Per case, one entry per run. */
  runs: Record<Case, CallSample[]>;
  roundTrips?: Record<Case, RoundTrips>;
  error?: string;
}

export interface CallOptions {
  runs: number;
  samples: number;
  warmup: number;
}

const check = (ok: boolean, what: string): void => {
  if (!ok) throw new Error(`sanity check failed: ${what}`);
};

/** Times `count` sequential calls; the keys come from `keyOf(i)`. */
async function timed(
  target: CallTarget,
  count: number,
  keyOf: (i: number) => string,
): Promise<CallSample> {
  const times = new Float64Array(count);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const reply = await target.call(keyOf(i), INPUT);
    times[i] = performance.now() - t;
    if (reply.echo !== INPUT.amount) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const us = [...times].map((ms) => ms * 1000);
  return {
    p50: percentile(us, 50),
    p99: percentile(us, 99),
    perSecond: count / seconds,
    samples: count,
  };
}

/** Both cases on one open system: warm-up, then the samples; checks the handler ran exactly when it should. */
async function measure(
  system: CallSystem,
  target: CallTarget,
  handler: Handler,
  o: CallOptions,
  tag: string,
): Promise<Record<Case, CallSample>> {
  const idempotent = system.store !== 'none';
  let n = 0;
  const fresh = (): string => `${tag}-f-${n++}`;
  const before = handler.executions;
  await timed(target, o.warmup, fresh);
  const first = await timed(target, o.samples, fresh);
  check(
    handler.executions - before === o.warmup + o.samples,
    `${system.id}: the handler ran ${handler.executions - before} times for ${o.warmup + o.samples} new keys`,
  );

  const key = `${tag}-r`;
  const original = await target.call(key, INPUT);
  const mid = handler.executions;
  await timed(target, o.warmup, () => key);
  const replay = await timed(target, o.samples, () => key);
  if (idempotent) {
    check(
      handler.executions === mid,
      `${system.id}: the handler ran ${handler.executions - mid} times on replays`,
    );
    const again = await target.call(key, INPUT);
    check(
      again.id === original.id,
      `${system.id}: a replay answered ${JSON.stringify(again)}, the first call ${JSON.stringify(original)}`,
    );
  }
  return { first, replay };
}

/**
 * Counts the Redis commands `calls` calls of each case send, with MONITOR on a separate
 * connection (only commands naming this system's keys, and not those run inside Lua scripts).
 * Not timed: MONITOR slows Redis down.
 */
async function countRoundTrips(
  target: CallTarget,
  tag: string,
  calls = 20,
): Promise<Record<Case, RoundTrips>> {
  const marker = target.redisMarker!;
  const monitorConnection = new Redis(REDIS_URL, { lazyConnect: true });
  await monitorConnection.connect();
  const monitor = await monitorConnection.monitor();
  const probe = new Redis(REDIS_URL);
  const seen: string[] = [];
  let waiting: { mark: string; done: () => void } | undefined;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (waiting && args.some((a) => a.includes(waiting!.mark))) return waiting.done();
    if (source !== 'lua' && args.some((a) => a.includes(marker)))
      seen.push(String(args[0]).toUpperCase());
  });
  // Everything sent before `mark` has been seen once MONITOR shows the mark itself.
  const drain = async (mark: string): Promise<string[]> => {
    const shown = new Promise<void>((done) => (waiting = { mark, done }));
    await probe.exists(mark);
    await Promise.race([shown, new Promise((r) => setTimeout(r, 2000))]);
    return seen.splice(0);
  };
  const summary = (commands: string[]): RoundTrips => {
    const counts = new Map<string, number>();
    for (const c of commands) counts.set(c, (counts.get(c) ?? 0) + 1);
    return {
      perCall: commands.length / calls,
      commands: [...counts].map(([c, k]) => `${c} ×${+(k / calls).toFixed(2)}`).join(', '),
    };
  };
  try {
    await drain(`bench-idem-probe-start:${tag}`);
    for (let i = 0; i < calls; i++) await target.call(`${tag}-probe-${i}`, INPUT);
    const first = summary(await drain(`bench-idem-probe-first:${tag}`));
    for (let i = 0; i < calls; i++) await target.call(`${tag}-probe-0`, INPUT);
    const replay = summary(await drain(`bench-idem-probe-replay:${tag}`));
    return { first, replay };
  } finally {
    monitor.disconnect();
    monitorConnection.disconnect();
    probe.disconnect();
  }
}

/**
 * Every system, `runs` times: each run goes through every system in turn (so a disturbance on the
 * shared machine spreads over them), each system on a fresh store. A system that fails is reported
 * with its error and skipped from then on.
 */
export async function runCalls(
  systems: readonly CallSystem[],
  o: CallOptions,
  runId: string,
  log: (line: string) => void,
): Promise<CallSystemResult[]> {
  const results: CallSystemResult[] = systems.map((s) => ({
    id: s.id,
    label: s.label,
    extra: s.extra === true,
    runs: { first: [], replay: [] },
  }));
  for (let run = 0; run < o.runs; run++) {
    for (const [i, system] of systems.entries()) {
      const result = results[i]!;
      if (result.error) continue;
      const tag = `${runId}r${run}`;
      const handler = new Handler();
      try {
        const target = await system.open(`${tag}_${i}`, handler);
        try {
          const m = await measure(system, target, handler, o, tag);
          for (const c of CASES) result.runs[c].push(m[c]);
          if (run === 0 && target.redisMarker)
            result.roundTrips = await countRoundTrips(target, tag);
        } finally {
          await target.close();
        }
        const us = (c: Case): string => {
          const s = result.runs[c][result.runs[c].length - 1]!;
          return `p50 ${s.p50.toFixed(0)} µs, p99 ${s.p99.toFixed(0)} µs, ${s.perSecond.toFixed(0)}/s`;
        };
        log(
          `  run ${run + 1}/${o.runs} ${system.id}: first ${us('first')}; replay ${us('replay')}`,
        );
      } catch (error) {
        result.error = (error as Error).message;
        log(`  run ${run + 1}/${o.runs} ${system.id}: FAILED ${result.error}`);
      }
    }
  }
  return results;
}
