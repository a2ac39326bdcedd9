import { ms } from '../finding.js';
import { type Check, finding, flagEach } from './check.js';

/** REL04-BP01/no-deadline: a hard real-time interaction with no deadline waits as long as its slowest dependency. */
export const noDeadline: Check = ({ topology }) =>
  flagEach(
    topology.interactions,
    (i) => i.kind === 'hard-real-time' && i.deadlineMs === undefined,
    'REL04-BP01/no-deadline',
    'high',
    (i) => [
      `hard real-time interaction "${i.name}" has no deadline: nothing bounds how long its callers wait, and its work continues after they have given up.`,
      `Set deadlineMs on "${i.name}" (the time its callers can afford) and enforce it (deadlineMiddleware / honoDeadline answer 504 when it is spent).`,
    ],
  );

/** REL04-BP01/no-timeout: a call with no timeout (its own, or the callee's attemptTimeoutMs) can wait forever. */
export const noTimeout: Check = ({ graph }) =>
  graph.edges
    .filter((e) => e.timeoutMs === undefined)
    .map((e) => {
      const fix = `Set timeoutMs on this call (or attemptTimeoutMs on "${e.callee.name}"), near the callee's p99.9 latency and below what the caller has left; pass the remaining deadline along (fetchWithDeadline).`;
      if (e.call.mode === 'async') {
        // An async call only waits for the acknowledgement, which is short unless the callee is in trouble.
        return finding(
          'REL04-BP01/no-timeout',
          'low',
          e.place,
          `${e.caller} sends to "${e.callee.name}" with no timeout on the acknowledgement.`,
          fix,
        );
      }
      const message = `${e.caller} calls "${e.callee.name}" synchronously with no timeout: a hung ${e.callee.service ?? 'callee'} keeps a request, a connection and a worker of ${e.caller} busy until some outer deadline gives up (or forever).`;
      return finding('REL04-BP01/no-timeout', 'high', e.place, message, fix);
    });

/**
 * REL04-BP01/timeout-over-deadline: a per-attempt timeout longer than the deadline of the
 * interaction making the call never fires in time — the deadline cuts the first attempt, so the
 * timeout (and any retry after it) is dead configuration.
 */
export const timeoutOverDeadline: Check = ({ topology, graph }) =>
  topology.interactions.flatMap((i) => {
    const deadline = i.deadlineMs;
    if (deadline === undefined) return [];
    return graph
      .from(i)
      .filter((e) => e.timeoutMs !== undefined && e.timeoutMs > deadline)
      .map((e) =>
        finding(
          'REL04-BP01/timeout-over-deadline',
          'medium',
          e.place,
          `${e.caller} waits up to ${ms(e.timeoutMs ?? 0)} per attempt for "${e.callee.name}", longer than the whole deadline of "${i.name}" (${ms(deadline)}): the caller has given up before the timeout fires, so no retry ever runs in time.`,
          `Lower the timeout of this call below ${ms(deadline)} minus "${i.name}"'s own work — or derive it from the remaining deadline (fetchWithDeadline).`,
        ),
      );
  });
