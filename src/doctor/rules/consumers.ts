import type { Consumer, Queue, Topology } from '../types.js';
import { type Check, finding, flagEach, plural } from './check.js';

/** What a consumer handles, for messages: `queue "orders"` or `rule "placed" target "crm"`. */
function source(c: Consumer): string {
  return c.queue !== undefined
    ? `queue "${c.queue}"`
    : `rule "${c.rule ?? ''}" target "${c.target ?? ''}"`;
}

function queueOf(t: Topology, c: Consumer): Queue | undefined {
  return c.queue === undefined ? undefined : t.queues.find((q) => q.name === c.queue);
}

/** REL04-BP04/consumer-not-idempotent: queues and bus targets deliver at least once, so a handler sees duplicates. */
export const consumerNotIdempotent: Check = ({ topology }) =>
  flagEach(
    topology.consumers,
    (c) => !c.idempotent,
    'REL04-BP04/consumer-not-idempotent',
    'high',
    (c) => [
      `consumer "${c.name}" of ${source(c)} is not declared idempotent, but delivery is at least once: a message received again after a crash, a visibility timeout or a retried delivery runs its effects twice.`,
      `Make "${c.name}" idempotent (an inbox keyed by the message or event id, or the idempotency store of ballast/idempotency) and declare idempotent: true.`,
    ],
  );

/** REL04-BP02/visibility-below-handler: a message becomes visible again while its handler still runs, so a second consumer takes it. */
export const visibilityBelowHandler: Check = ({ topology }) =>
  topology.consumers.flatMap((c) => {
    const queue = queueOf(topology, c);
    const handler = c.handlerTimeoutSeconds;
    if (queue === undefined || handler === undefined || c.heartbeat) return [];
    const visibility = c.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds;
    if (handler <= visibility) return [];
    const whose =
      c.visibilityTimeoutSeconds === undefined
        ? `queue "${queue.name}"`
        : `consumer "${c.name}" (on receive)`;
    return [
      finding(
        'REL04-BP02/visibility-below-handler',
        'high',
        c.place,
        `the visibility timeout of ${whose} is ${plural(visibility, 'second')}, shorter than the handler timeout of "${c.name}" (${plural(handler, 'second')}): a slow message becomes visible again mid-handling and is processed twice, and its receive count climbs toward the DLQ while it is still being handled.`,
        `Raise visibilityTimeoutSeconds of "${queue.name}" above ${plural(handler, 'second')} (with margin, e.g. ${plural(handler * 2, 'second')}), or keep it short and set heartbeat: true (the consumer extends visibility while it works).`,
      ),
    ];
  });

/** REL04-BP02/handler-no-timeout: a handler with no timeout can hold a message (and a worker) forever. */
export const handlerNoTimeout: Check = ({ topology }) =>
  flagEach(
    topology.consumers,
    (c) => c.handlerTimeoutSeconds === undefined,
    'REL04-BP02/handler-no-timeout',
    'medium',
    (c) => [
      `consumer "${c.name}" of ${source(c)} has no handler timeout: one stuck message holds a worker for good, and the visibility check above cannot be made.`,
      `Set handlerTimeoutSeconds on "${c.name}" (abort the handler then) and keep it below the queue's visibility timeout.`,
    ],
  );
