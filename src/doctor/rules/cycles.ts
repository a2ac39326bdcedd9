import type { Interaction } from '../types.js';
import { type Check, finding } from './check.js';

/**
 * REL04-BP01/sync-cycle: interactions that call each other synchronously in a circle. Each turn
 * holds a request at every hop; under load the circle deadlocks on its own thread and connection pools.
 */
export const syncCycle: Check = ({ topology, graph }) => {
  const found = new Map<string, Interaction[]>();
  const done = new Set<Interaction>();
  const walk = (at: Interaction, stack: Interaction[]): void => {
    for (const e of graph.from(at)) {
      if (e.call.mode !== 'sync') continue;
      const back = stack.indexOf(e.callee);
      if (back >= 0) {
        const cycle = stack.slice(back);
        found.set(
          cycle
            .map((i) => i.name)
            .sort()
            .join('\u0000'),
          cycle,
        );
      } else if (!done.has(e.callee)) walk(e.callee, [...stack, e.callee]);
    }
    done.add(at);
  };
  for (const i of topology.interactions) if (!done.has(i)) walk(i, [i]);
  return [...found.values()].map((cycle) => {
    const names = [...cycle, cycle[0] as Interaction].map((i) => i.name).join(' → ');
    return finding(
      'REL04-BP01/sync-cycle',
      'high',
      (cycle[0] as Interaction).place,
      `synchronous calls go round in a circle: ${names}. Every turn holds a request at each hop, and the worst-case time is cut only by timeouts.`,
      'Break the circle: make one of these calls asynchronous (a queue or the event bus), or move the shared work into a service both call.',
    );
  });
};
