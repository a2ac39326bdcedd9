import { type Check, flagEach } from './check.js';

/** REL04-BP02/no-stale-drop: a soft real-time interaction with no maximum age works through a backlog nobody waits for any more. */
export const noStaleDrop: Check = ({ topology }) =>
  flagEach(
    topology.interactions,
    (i) => i.kind === 'soft-real-time' && i.maxAgeMs === undefined,
    'REL04-BP02/no-stale-drop',
    'low',
    (i) => [
      `soft real-time interaction "${i.name}" has no maxAgeMs: after an outage it processes the whole backlog, oldest first, including requests whose answer no one needs any more.`,
      `Set maxAgeMs on "${i.name}" and drop (or sideline) older requests when they are taken from the queue.`,
    ],
  );
