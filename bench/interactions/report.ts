/** The interactions section of docs/benchmarks.md, and the Ballast arm's targets printed at the end of a run. */
import type { MachineFacts } from '../queue/machine.js';
import { BUCKET_MS, RECOVERED_SHARE, type ArmResult, type PhaseResult } from './metrics.js';
import { type InteractionsBenchResult, isDefault } from './run.js';

/** The token bucket's floor under 100 % failure: 500 tokens at 5 per retry = 100 retries (50 when the retries follow timeouts, 10 each). */
export const BUDGET_FLOOR = 100;
const AMPLIFICATION = 1.1;
const RECOVERY_MS = 2000;
const P99_SLACK_MS = 10;

const num = (n: number): string =>
  !Number.isFinite(n)
    ? '—'
    : Math.abs(n) >= 100 || Number.isInteger(n)
      ? Math.round(n).toLocaleString('en-US')
      : n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
const ms = (n: number | null | undefined): string =>
  n === undefined ? '' : n === null ? 'not reached' : num(n);
const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—';
const downstream = (p: PhaseResult): number => Math.max(p.downstreamClient, p.downstreamServer);

const arm = (r: InteractionsBenchResult, id: string): ArmResult | undefined =>
  r.arms.find((a) => a.id === id);
const phase = (a: ArmResult | undefined, id: string): PhaseResult | undefined =>
  a?.phases.find((p) => p.id === id);

export interface Target {
  name: string;
  measured: string;
  ok: boolean | undefined;
}

/** Downstream calls under 100 % failure (503s and hanging) within the amplification limit plus the budget's floor. */
function amplificationTargets(r: InteractionsBenchResult, id: string, who: string): Target[] {
  const a = arm(r, id);
  const out: Target[] = [];
  for (const phaseId of ['fail', 'hang']) {
    const p = phase(a, phaseId);
    if (!p && phaseId === 'hang' && r.options.hangSeconds === 0) continue;
    const limit = AMPLIFICATION * (p?.requests ?? 0) + BUDGET_FLOOR;
    out.push({
      name: `${who}100 % ${phaseId === 'fail' ? 'failing (503)' : 'hanging'}: downstream calls ≤ ${AMPLIFICATION} × client requests + ${BUDGET_FLOOR} (the token bucket's floor: 500 tokens ÷ 5 per retry)`,
      measured: p
        ? `${num(downstream(p))} calls (client ${num(p.downstreamClient)}, dependency ${num(p.downstreamServer)}) for ${num(p.requests)} requests = **${(downstream(p) / p.requests).toFixed(2)}×**; limit ${num(limit)}`
        : 'not measured',
      ok: p ? downstream(p) <= limit : undefined,
    });
  }
  return out;
}

export function targets(r: InteractionsBenchResult): Target[] {
  const b = arm(r, 'ballast');
  const out = amplificationTargets(r, 'ballast', '');
  for (const p of b?.phases.filter((x) => x.recoveryMs !== undefined) ?? []) {
    const before = b!.phases[b!.phases.indexOf(p) - 1]!;
    out.push({
      name: `full throughput within ${RECOVERY_MS / 1000} s after the dependency recovers (${before.id === 'fail' ? 'from 503s' : before.id === 'hang' ? 'from hanging' : 'from overload'})`,
      measured:
        p.recoveryMs === null
          ? `not within ${p.seconds} s`
          : `**${ms(p.recoveryMs)} ms** to ≥ ${RECOVERED_SHARE * 100} % of the healthy ${num(b!.healthyPer100ms)} successes per ${BUCKET_MS} ms`,
      ok: p.recoveryMs !== null && p.recoveryMs !== undefined && p.recoveryMs <= RECOVERY_MS,
    });
  }
  if (b) {
    const worst = [...b.phases].sort((x, y) => y.p99Ms - x.p99Ms)[0]!;
    out.push({
      name: `p99 of hard-real-time calls ≤ deadline + ${P99_SLACK_MS} ms = ${r.options.deadlineMs + P99_SLACK_MS} ms, in every phase`,
      measured: `worst phase: ${worst.id}, p99 **${num(worst.p99Ms)} ms** (max ${num(worst.maxMs)} ms)`,
      ok: worst.p99Ms <= r.options.deadlineMs + P99_SLACK_MS,
    });
  } else
    out.push({
      name: `p99 of hard-real-time calls ≤ deadline + ${P99_SLACK_MS} ms`,
      measured: 'the Ballast arm did not run',
      ok: undefined,
    });
  if (arm(r, 'ballast-no-breaker'))
    out.push(
      ...amplificationTargets(r, 'ballast-no-breaker', 'without the breaker (the budget alone), '),
    );
  return out;
}

const VERDICTS = new Map<boolean | undefined, string>([
  [true, 'met'],
  [false, 'missed'],
  [undefined, 'not measured'],
]);
const verdict = (ok: boolean | undefined): string => VERDICTS.get(ok)!;

/** One line per target, for the terminal: the verdict in capitals, the target, what was measured (no bold). */
export function textTargets(r: InteractionsBenchResult): string {
  return targets(r)
    .map(({ name, measured, ok }) =>
      [verdict(ok).toUpperCase().padEnd(12), `${name}:`, measured.replaceAll('**', '')].join(' '),
    )
    .join('\n');
}

/** Ballast next to cockatiel and opossum, metric by metric. */
function comparison(r: InteractionsBenchResult): string[] {
  const [b, c, o] = [arm(r, 'ballast'), arm(r, 'cockatiel'), arm(r, 'opossum')];
  if (!b || (!c && !o))
    return ['(Ballast and at least one of cockatiel and opossum must run for this table.)', ''];
  const rows: [string, (a: ArmResult) => number | null | undefined][] = [];
  for (const p of b.phases) {
    if (p.mode !== 'healthy') {
      rows.push([
        `${p.id}: downstream calls per client request`,
        (a) =>
          phase(a, p.id) ? downstream(phase(a, p.id)!) / phase(a, p.id)!.requests : undefined,
      ]);
      rows.push([`${p.id}: successes`, (a) => phase(a, p.id)?.successes]);
      rows.push([`${p.id}: p99 latency, ms`, (a) => phase(a, p.id)?.p99Ms]);
    }
    if (p.recoveryMs !== undefined)
      rows.push([`${p.id}: recovery time, ms`, (a) => phase(a, p.id)?.recoveryMs]);
  }
  const cell = (
    a: ArmResult | undefined,
    f: (a: ArmResult) => number | null | undefined,
  ): string => {
    const v = a ? f(a) : undefined;
    return !a ? 'not run' : v === undefined ? '—' : ms(v);
  };
  const div = (f: (a: ArmResult) => number | null | undefined, x: ArmResult | undefined): string =>
    x ? ratio(f(b) ?? Number.NaN, f(x) ?? Number.NaN) : '—';
  return [
    '| metric | Ballast | cockatiel | opossum | Ballast ÷ cockatiel | Ballast ÷ opossum |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      ([name, f]) =>
        `| ${name} | ${cell(b, f)} | ${cell(c, f)} | ${cell(o, f)} | ${div(f, c)} | ${div(f, o)} |`,
    ),
    '',
    'Ratios below 1× mean Ballast made fewer calls, had fewer successes, a lower p99 or recovered sooner; "not reached" means full throughput did not come back within the phase.',
    '',
  ];
}

function phaseTable(r: InteractionsBenchResult, index: number): string[] {
  const spec = r.phases[index]!;
  const recovery = spec.mode === 'healthy' && index > 0;
  const lines = [
    `#### ${index + 1}. ${spec.label} — ${spec.seconds} s`,
    '',
    `| arm | client requests | downstream calls: client / dependency | per request | successes | errors: 5xx / timeout / short-circuited / other | p50 ms | p99 ms | p99 − deadline | last settled, ms after the phase | ${recovery ? 'recovery, ms | ' : ''}client event-loop delay p99 [max], ms |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${recovery ? '---:|' : ''}---:|`,
  ];
  for (const a of r.arms) {
    const p = a.phases[index]!;
    const e = p.errors;
    lines.push(
      `| ${a.id} | ${num(p.requests)} | ${num(p.downstreamClient)} / ${num(p.downstreamServer)} | ${(p.downstreamClient / p.requests).toFixed(2)}× | ${num(p.successes)} | ${num(e.rejected)} / ${num(e.timeout)} / ${num(e['short-circuit'])} / ${num(e.other)} | ${num(p.p50Ms)} | ${num(p.p99Ms)} | ${num(p.p99Ms - r.options.deadlineMs)} | ${num(p.settledAfterEndMs)} | ${recovery ? `${ms(p.recoveryMs)} | ` : ''}${num(p.eldP99Ms)} [${num(p.eldMaxMs)}] |`,
    );
  }
  const b = arm(r, 'ballast');
  const s = b?.phases[index]?.stats;
  if (s && Object.keys(s).length > 0) {
    lines.push(
      '',
      `Ballast's own counters over the phase (by time): ${['attempts', 'retries', 'retriesRefused', 'shortCircuited', 'attemptTimeouts', 'deadlineExceeded'].map((k) => `${k} ${num(s[k] ?? Number.NaN)}`).join(', ')}.`,
    );
  }
  lines.push('');
  return lines;
}

export function markdown(
  r: InteractionsBenchResult,
  machine: MachineFacts,
  command: string,
  source: string,
  ballast: string,
): string {
  const o = r.options;
  const lines: string[] = [];
  const p = (...l: string[]): void => void lines.push(...l);
  const perArm = r.phases.reduce((a, x) => a + x.seconds, 0);
  p('## Interactions (retries, backoff, retry budget, circuit breaker)', '');
  p(
    `Generated by \`${command}\` on ${r.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC; the whole run took ${Math.round(r.seconds)} s (${perArm} s of phases per arm, the arms one after the other on the same dependency process).`,
    '',
  );
  if (!isDefault(o))
    p(
      '> **Quick or partial run**: not the full workload (see the parameters below). Run `npm run bench -- interactions` for the full one.',
      '',
    );
  p(`Code measured: ${source}.`, '');

  p('### Machine and parameters', '');
  p(
    `- ${machine.nproc} vCPU (\`${machine.cpuModel}\`), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; load average at start ${machine.loadAverage}. **The dependency and the clients share these ${machine.nproc} cores.**`,
    `- Ballast ${ballast} (from \`src/\` via tsx), cockatiel ${r.versions.cockatiel}, opossum ${r.versions.opossum} (the last majors that run on Node 20).`,
    `- **Load: an open loop at ${o.rate} client requests/s** (the arrivals of ${o.rate / 10} callers at 10/s each), request k due at k / ${o.rate} s whatever earlier requests are doing, so every arm gets the same requests and the downstream calls are what varies. All requests of an arm go through **one shared instance** of its policy (one service process calling a dependency).`,
    `- The dependency (\`bench/interactions/dependency.ts\`, its own process): \`node:http\` on 127.0.0.1, a tiny handler. Phases, in order, for every arm: ${r.phases.map((x) => `${x.label} (${x.seconds} s)`).join(' → ')}. Overloaded: ${o.capacity} requests in service at once, each ${o.serviceMs} ms (capacity ${Math.round((o.capacity * 1000) / o.serviceMs)} requests/s against ${o.rate} offered), then a FIFO queue of ${o.queueLimit} (at most ${Math.round((o.queueLimit * o.serviceMs) / o.capacity)} ms of waiting, so an admitted request answers within ${Math.round(o.serviceMs + (o.queueLimit * o.serviceMs) / o.capacity)} ms, under the attempt timeout), 503 at once beyond it.`,
    `- Every arm: at most ${o.maxAttempts} attempts per client request, ${o.attemptTimeoutMs} ms per attempt; Ballast's deadline ${o.deadlineMs} ms for the whole call (the others have none). Jitter seeded (seed ${o.seed}): the hand-written arms and opossum's retry loop use \`src/testing/prng.ts\`, Ballast its \`random\` option, and \`Math.random\` (cockatiel's jitter) is replaced by the same seeded generator while each arm runs.`,
    '',
  );

  p('### Arms', '', '| arm | configuration |', '|---|---|');
  for (const a of r.arms) p(`| ${a.id} | ${a.config} |`);
  p('');

  p('### Targets (the Ballast arm)', '', '| target | measured | verdict |', '|---|---|---|');
  for (const t of targets(r)) p(`| ${t.name} | ${t.measured} | **${verdict(t.ok)}** |`);
  p('');

  p('### Ballast next to cockatiel and opossum', '');
  p(...comparison(r));

  p('### Per phase', '');
  p(
    `"Per request" = downstream calls made by the phase's client requests (counted by the client) ÷ client requests; the dependency counts arrivals by its own phase, so a retry that lands after a phase ended counts in the next one there. "Recovery" = from the dependency's recovery to the end of the first ${BUCKET_MS} ms window in which successes reach ${RECOVERED_SHARE * 100} % of the arm's healthy rate (the median per ${BUCKET_MS} ms of its warm-up, first 20 % left out): ${BUCKET_MS} ms is the resolution, so an arm that never stopped serving shows ${BUCKET_MS} ms.`,
    '',
  );
  for (let i = 0; i < r.phases.length; i++) p(...phaseTable(r, i));

  p('### Method', '');
  p(
    '- Two processes: the benchmark (the clients, every arm in turn) and the dependency. Each arm starts from a fresh policy instance and a fresh keep-alive agent; the dependency switches phase on an IPC message sent by the load loop at the phase boundary (requests scheduled before the boundary go out before the message). Before the first arm, 2 s of unmeasured healthy load warm up both processes.',
    "- A request belongs to the phase holding its scheduled time; its latency runs from when it went out to when the caller saw the result (success or error). p50/p99 by nearest rank over all of the phase's requests. \"Last settled\" = when the phase's slowest request finished, relative to the phase's end (negative: before it).",
    '- Errors: "5xx" = the dependency\'s 503 was the final answer; "timeout" = an attempt timeout or the deadline; "short-circuited" = the breaker refused the call (nothing sent: cockatiel\'s `BrokenCircuitError`, opossum\'s `EOPENBREAKER`, Ballast\'s `CircuitOpen`, including a retry the breaker refused).',
    `- The hanging dependency never answers; an attempt ends at its timeout, when the client aborts the request (Ballast's attempt signal, cockatiel's timeout signal, \`AbortSignal.timeout(${o.attemptTimeoutMs})\` for the others). The overloaded dependency does not watch the clock: a queued request whose client gave up is still served. Leaving overload answers the queue at once.`,
    "- Peers as they behave by default: opossum computes its rolling statistics on every failure (summing the 10 buckets and sorting every latency of the 10 s window for its percentiles, `rollingPercentilesEnabled` defaults to true), which is CPU in the caller's event loop while failures are many — see the client event-loop delay column. cockatiel 3.2.1 prints one `MaxListenersExceededWarning` during its arm: `execute()` without a signal hands every call the same never-aborted signal, and each timeout policy run adds a listener to it (removed when the call ends).",
    `- The Ballast targets (from the issue): under 100 % failure downstream calls ≤ ${AMPLIFICATION} × client requests plus the budget's floor — the token bucket starts full at 500 tokens and a retry after an error costs 5, so at most ${BUDGET_FLOOR} retries before it is empty (50 after timeouts, 10 each); the larger of the client's and the dependency's count is checked. Full throughput within ${RECOVERY_MS / 1000} s of the recovery. p99 ≤ deadline + ${P99_SLACK_MS} ms in every phase.`,
    '',
  );
  return lines.join('\n');
}
