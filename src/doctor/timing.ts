/**
 * Worst-case times of calls and handlers. An attempt lasts at most its timeout, or what the callee
 * can take if that is less; a callee with a deadline answers (or fails) within it. A handler's time
 * is its own `workMs` plus its calls, one after another (or the slowest, with `parallelCalls`).
 */
import { exponentialSeconds } from '../core/backoff.js';
import type { CallGraph, Edge } from './graph.js';
import type { BackoffSpec, Interaction } from './types.js';

/** The worst case of one call. */
export interface CallCost {
  readonly edge: Edge;
  readonly attempts: number;
  /** Longest one attempt can last, ms (Infinity = unbounded). */
  readonly attemptMs: number;
  /** Longest sum of the waits between attempts, ms. */
  readonly backoffMs: number;
  /** attempts × attemptMs + backoffMs. */
  readonly totalMs: number;
  /** What bounds an attempt: the call's timeout, the callee's deadline or work, or nothing. */
  readonly boundedBy: 'timeout' | 'callee' | 'nothing';
}

/** Longest total wait before retries 1 … attempts−1 under `backoff`, ms (jitter at its ceiling). */
export function worstBackoffMs(backoff: BackoffSpec | undefined, attempts: number): number {
  let total = 0;
  for (let retry = 1; retry < attempts; retry++) total += worstDelayMs(backoff, retry);
  return total;
}

function worstDelayMs(b: BackoffSpec | undefined, retry: number): number {
  if (b === undefined || b.strategy === 'none') return 0;
  if (b.strategy === 'constant') return b.baseMs;
  // Decorrelated jitter draws up to 3 × the previous delay, so its ceiling grows by 3 each retry.
  if (b.strategy === 'decorrelated-jitter')
    return Math.min(b.capMs, b.baseMs * 3 ** Math.min(retry, 40));
  return exponentialSeconds(retry, { baseSeconds: b.baseMs, maxSeconds: b.capMs });
}

/** Worst-case times over one call graph (memoised; cycles are cut where they close). */
export class WorstCase {
  readonly #need = new Map<Interaction, { ms: number; costs: CallCost[] }>();
  readonly #visiting = new Set<Interaction>();

  constructor(readonly graph: CallGraph) {}

  /** Longest the handler of `i` can take: `workMs` plus its calls, ms. */
  needMs(i: Interaction): number {
    return this.#handler(i).ms;
  }

  /** The worst case of each call made while serving `i`. */
  costs(i: Interaction): readonly CallCost[] {
    return this.#handler(i).costs;
  }

  /** Longest a caller without a timeout waits for one attempt of `i`, ms (Infinity = unknown). */
  answerMs(i: Interaction): number {
    // With no workMs declared, the callee's own time is unknown: only its deadline bounds it.
    const own = i.workMs === undefined ? Infinity : this.needMs(i);
    return Math.min(i.deadlineMs ?? Infinity, own);
  }

  /** The worst case of one call. */
  cost(edge: Edge): CallCost {
    const attempts = edge.retry.maxAttempts;
    const timeout = edge.timeoutMs ?? Infinity;
    // An async call waits only for the acknowledgement; what the callee does later is not waited for.
    const callee =
      edge.call.mode === 'async'
        ? 0
        : this.#visiting.has(edge.callee)
          ? Infinity
          : this.answerMs(edge.callee);
    const attemptMs =
      edge.call.mode === 'async' ? (edge.timeoutMs ?? 0) : Math.min(timeout, callee);
    const boundedBy = !Number.isFinite(attemptMs)
      ? 'nothing'
      : timeout <= callee
        ? 'timeout'
        : 'callee';
    const backoffMs = worstBackoffMs(edge.retry.backoff, attempts);
    return {
      edge,
      attempts,
      attemptMs,
      backoffMs,
      totalMs: attempts * attemptMs + backoffMs,
      boundedBy,
    };
  }

  /** The calls behind `i`'s worst case: at each hop the costliest call, down the synchronous chain. */
  chain(i: Interaction): CallCost[] {
    const out: CallCost[] = [];
    const seen = new Set<Interaction>([i]);
    for (let at: Interaction | undefined = i; at !== undefined;) {
      const worst: CallCost | undefined = [...this.costs(at)].sort(
        (a, b) => b.totalMs - a.totalMs,
      )[0];
      if (worst === undefined) break;
      out.push(worst);
      const next: Interaction = worst.edge.callee;
      at = worst.edge.call.mode === 'sync' && !seen.has(next) ? next : undefined;
      seen.add(next);
    }
    return out;
  }

  #handler(i: Interaction): { ms: number; costs: CallCost[] } {
    const known = this.#need.get(i);
    if (known !== undefined) return known;
    this.#visiting.add(i);
    const costs = this.graph.from(i).map((e) => this.cost(e));
    this.#visiting.delete(i);
    const times = costs.map((c) => c.totalMs);
    const calls = i.parallelCalls ? Math.max(0, ...times) : times.reduce((a, b) => a + b, 0);
    const result = { ms: (i.workMs ?? 0) + calls, costs };
    this.#need.set(i, result);
    return result;
  }
}
