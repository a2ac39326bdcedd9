import { num } from '../finding.js';
import type { Queue, Topology } from '../types.js';
import { type Check, flagEach } from './check.js';

// Queues named like this are dead-letter queues even when nothing in sight sends to them.
const DLQ_NAME = /(^|[-_.])(dlq|dead-?letters?(-queue)?)(\.fifo)?$/i;

/** The names of the queues that are dead-letter queues: declared, named so, or sent to as one. */
export function deadLetterQueues(t: Topology): Set<string> {
  const names = new Set<string>();
  for (const q of t.queues) {
    if (q.isDeadLetterQueue || DLQ_NAME.test(q.name)) names.add(q.name);
    if (q.deadLetter) names.add(q.deadLetter.queue);
  }
  for (const r of t.rules)
    for (const target of r.targets) if (target.deadLetterQueue) names.add(target.deadLetterQueue);
  return names;
}

function consumersOf(t: Topology, q: Queue): string {
  const names = t.consumers.filter((c) => c.queue === q.name).map((c) => `"${c.name}"`);
  return names.length === 0 ? '' : ` (consumed by ${names.join(', ')})`;
}

/** REL04-BP02/queue-no-dlq: with no redrive policy a poison message is received again and again until it expires. */
export const queueNoDlq: Check = ({ topology }) => {
  const dlqs = deadLetterQueues(topology);
  return flagEach(
    topology.queues,
    (q) => q.deadLetter === undefined && !dlqs.has(q.name),
    'REL04-BP02/queue-no-dlq',
    'medium',
    (q) => [
      `queue "${q.name}"${consumersOf(topology, q)} has no dead-letter queue: a message that always fails comes back every ${q.visibilityTimeoutSeconds} s until its retention ends, using consumer time and hiding in the backlog.`,
      `Create "${q.name}-dlq" and set "deadLetter": { "queue": "${q.name}-dlq", "maxReceiveCount": 5 } (RedrivePolicy); alarm on its depth and redrive once fixed.`,
    ],
  );
};

/** REL04-BP02/target-no-dlq: a bus target with no DLQ drops an event for good once its retries or age run out. */
export const targetNoDlq: Check = ({ topology }) =>
  topology.rules.flatMap((r) =>
    flagEach(
      r.targets,
      (t) => t.deadLetterQueue === undefined,
      'REL04-BP02/target-no-dlq',
      'medium',
      (t) => [
        `target "${t.id}" of rule "${r.name}" (bus "${r.bus}") has no dead-letter queue: an event it cannot deliver after ${num(t.maximumRetryAttempts)} retries or ${num(t.maximumEventAgeSeconds)} s is dropped, with nothing left to redrive.`,
        `Set "deadLetterQueue" on the target (DeadLetterConfig) to a queue you alarm on.`,
      ],
    ),
  );
