import { ms } from '../finding.js';
import type { CallCost } from '../timing.js';
import type { Interaction } from '../types.js';
import { type Check, finding } from './check.js';

/** One hop of a chain for a message: `charge (3 × 2,500 ms [timeout] + 300 ms backoff)`. */
export function describeHop(c: CallCost): string {
  const callee = c.edge.callee;
  const why =
    c.boundedBy === 'nothing'
      ? 'no timeout'
      : c.edge.call.mode === 'async'
        ? 'async: acknowledgement'
        : c.boundedBy === 'timeout'
          ? 'timeout'
          : c.attemptMs === callee.deadlineMs
            ? 'its deadline'
            : 'its worst case';
  const backoff = c.backoffMs > 0 ? ` + ${ms(c.backoffMs)} backoff` : '';
  return `${callee.name} (${c.attempts} × ${ms(c.attemptMs)} [${why}]${backoff})`;
}

/** The chain behind an interaction's worst case: `checkout → place-order (…) → charge (…)`. */
export function describeChain(root: Interaction, chain: readonly CallCost[]): string {
  return [root.name, ...chain.map(describeHop)].join(' → ');
}

/**
 * REL04-BP01/chain-exceeds-deadline: the calls an interaction makes, with their timeouts, retries
 * and backoff, can take longer than its deadline — so it fails late instead of failing fast.
 */
export const chainExceedsDeadline: Check = ({ topology, timing }) =>
  topology.interactions.flatMap((i) => {
    const deadline = i.deadlineMs;
    const need = timing.needMs(i);
    if (deadline === undefined || need <= deadline) return [];
    const chain = timing.chain(i);
    const first = chain[0];
    const work = i.workMs ? ` (${ms(i.workMs)} of it its own work)` : '';
    const fix =
      first === undefined
        ? `Lower workMs of "${i.name}" or raise its deadline.`
        : `Make the calls fit the deadline: one retry layer (maxAttempts 1 elsewhere), per-attempt timeouts so that attempts × timeout + backoff stays under ${ms(deadline)} minus the caller's own work (here: ${first.edge.caller} → ${first.edge.callee.name}), and pass the remaining deadline down (fetchWithDeadline) so inner hops never outlive it.`;
    // The chain follows the costliest call; the interaction's other calls are named so the sum adds up.
    const others = timing.costs(i).filter((c) => c !== first && c.totalMs > 0);
    const rest =
      others.length === 0
        ? ''
        : `; ${i.parallelCalls ? 'in parallel with' : 'plus'} ${others.map(describeHop).join(', ')}`;
    const message = `"${i.name}" can take ${ms(need)} in the worst case${work}, over its deadline of ${ms(deadline)}: ${describeChain(i, chain)}${rest}.`;
    return [finding('REL04-BP01/chain-exceeds-deadline', 'high', i.place, message, fix)];
  });
