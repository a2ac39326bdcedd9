import type { Finding } from '../finding.js';
import type { Edge } from '../graph.js';
import type { Interaction } from '../types.js';
import { type Check, type CheckContext, finding } from './check.js';

/** One layer of a synchronous path: who calls what, and how many attempts it makes. */
interface Layer {
  readonly caller: string;
  readonly callee: Interaction;
  readonly attempts: number;
}

// Enumerating paths is exponential in the worst case; hand-written topologies are far below this.
const MAX_PATHS = 10_000;

/** Every maximal synchronous path from `at`, each with the layers before it prepended. */
function paths(
  ctx: CheckContext,
  at: Interaction,
  before: readonly Layer[],
  onPath: ReadonlySet<Interaction>,
  out: Layer[][],
): void {
  const next = ctx.graph.from(at).filter((e) => e.call.mode === 'sync' && !onPath.has(e.callee));
  if (next.length === 0 || out.length >= MAX_PATHS) {
    out.push([...before]);
    return;
  }
  for (const e of next)
    paths(ctx, e.callee, [...before, layerOf(e)], new Set([...onPath, e.callee]), out);
}

const layerOf = (e: Edge): Layer => ({
  caller: e.caller,
  callee: e.callee,
  attempts: e.retry.maxAttempts,
});
const product = (layers: readonly Layer[]): number => layers.reduce((p, l) => p * l.attempts, 1);
const retrying = (layers: readonly Layer[]): number => layers.filter((l) => l.attempts > 1).length;

/** The path with retries at two layers or more that multiplies load the most. */
function worstPath(all: readonly Layer[][]): Layer[] | undefined {
  let best: Layer[] | undefined;
  for (const p of all) {
    if (retrying(p) < 2) continue;
    if (
      best === undefined ||
      product(p) > product(best) ||
      (product(p) === product(best) && p.length > best.length)
    )
      best = p;
  }
  return best;
}

function amplified(place: string, start: string, path: readonly Layer[]): Finding {
  const factor = product(path);
  const last = path[path.length - 1] as Layer;
  const layers = path.map((l) => `${l.caller} → ${l.callee.name} ×${l.attempts}`).join(', ');
  const outer = path.find((l) => l.attempts > 1) as Layer;
  return finding(
    'REL04-BP01/retry-amplification',
    factor > 10 ? 'high' : 'medium',
    place,
    `retries at ${retrying(path)} layers of one synchronous chain multiply: one ${start} can become ${factor.toLocaleString('en-US')} calls of "${last.callee.name}" (${path.map((l) => l.attempts).join(' × ')} = ${factor.toLocaleString('en-US')}×) exactly when it is failing — ${layers}.`,
    `Retry at one layer only (usually the outermost, here ${outer.caller} → ${outer.callee.name}) with a retry budget; set maxAttempts 1 on the other layers.`,
  );
}

/** REL04-BP01/retry-amplification: attempts multiply along a synchronous chain (3 attempts at 5 layers = 3⁵ = 243×). */
export const retryAmplification: Check = (ctx) => {
  const out: Finding[] = [];
  for (const root of ctx.graph.roots) {
    const client =
      root.retry === undefined
        ? []
        : [{ caller: 'outside clients', callee: root, attempts: root.retry.maxAttempts }];
    const all: Layer[][] = [];
    paths(ctx, root, client, new Set([root]), all);
    const worst = worstPath(all);
    if (worst) out.push(amplified(root.place, `"${root.name}" request`, worst));
  }
  for (const entry of ctx.graph.entryEdges) {
    const all: Layer[][] = [];
    paths(ctx, entry.callee, [layerOf(entry)], new Set([entry.callee]), all);
    const worst = worstPath(all);
    if (worst) out.push(amplified(entry.place, `request of ${entry.caller}`, worst));
  }
  return out;
};
