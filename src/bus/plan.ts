import type { QueueLimits } from '../core/limits.js';
import { prepareMessage, sendOptionsFor } from '../queue/prepare.js';
import type { DispatchPlan, NewDelivery, QueueSend, StoredBusEvent } from '../store/bus-contract.js';
import type { NewMessage, QueueRecord } from '../store/contract.js';
import type { CompiledBus, CompiledRule } from './runtime.js';
import { SCHEDULED_EVENT } from './scheduler.js';
import { type CompiledTarget, routeOf } from './targets.js';

/** One queue's messages of a plan, filled as events match. */
type QueueBatch = QueueSend & { messages: NewMessage[] };

/** What planning needs besides the events. */
export interface PlanInput {
  readonly buses: ReadonlyMap<number, CompiledBus>;
  /** Queue targets resolved before the transaction (absent = the queue does not exist now). */
  readonly queues: ReadonlyMap<string, QueueRecord>;
  readonly queueLimits: QueueLimits;
}

/** Counts of one plan, for events and metrics. */
export interface PlanSummary {
  events: number;
  matched: number;
  deliveries: number;
}

/**
 * Matches events and decides every write of their dispatch: a queue target whose queue exists
 * and accepts the message is delivered in the dispatch transaction; anything else becomes a
 * pending delivery that a worker attempts (and retries, or dead-letters) on its own.
 */
export function planDispatch(events: readonly StoredBusEvent[], input: PlanInput, summary: PlanSummary): DispatchPlan {
  const deliveries: NewDelivery[] = [];
  const sends = new Map<number, QueueBatch>();
  const archived: { archiveId: number; position: number }[] = [];
  for (const e of events) {
    summary.events++;
    const bus = input.buses.get(e.busId);
    if (!bus) continue; // the bus was deleted: nothing can match
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(e.body) as Record<string, unknown>;
    } catch {
      continue; // stored bodies are envelopes Ballast wrote; unreadable means nothing to match
    }
    const only = e.onlyRuleIds === null ? null : new Set(e.onlyRuleIds.map(String));
    // A scheduled rule's event goes to that rule whatever its pattern (publishers cannot use source aws.events).
    const scheduled = only !== null && event.source === 'aws.events' && event['detail-type'] === SCHEDULED_EVENT;
    for (const id of scheduled ? only : bus.matcher.match(event)) {
      if (only && !only.has(id)) continue;
      const rule = bus.rules.get(id);
      if (!rule) continue;
      summary.matched++;
      for (const target of rule.targets) deliveries.push(deliver(e, event, rule, target, input, sends));
    }
    // Replayed events are never archived again.
    if (e.replayName === null) {
      for (const a of bus.archiveAll) archived.push({ archiveId: a.id, position: e.position });
      for (const id of bus.archiveMatcher.match(event)) archived.push({ archiveId: Number(id), position: e.position });
    }
  }
  summary.deliveries += deliveries.length;
  return { deliveries, sends: [...sends.values()], archived };
}

function deliver(
  e: StoredBusEvent,
  event: Record<string, unknown>,
  rule: CompiledRule,
  target: CompiledTarget,
  input: PlanInput,
  sends: Map<number, QueueBatch>,
): NewDelivery {
  const base = { eventPosition: e.position, ruleId: rule.record.id, targetId: target.id };
  let payload: string;
  try {
    payload = target.shape(event, e.body, { ruleArn: rule.arn, ruleName: rule.record.name, ingestedAt: e.ingestedAt });
  } catch {
    payload = e.body; // shaping was validated at PutTargets; fall back to the event rather than lose it
  }
  const pending: NewDelivery = { ...base, route: routeOf(target.kind), payload, state: 'pending' };
  if (target.kind.kind !== 'queue') return pending;
  const queue = input.queues.get(target.kind.queue);
  if (!queue) return pending; // the worker reports NO_RESOURCE (and dead-letters) on its own path
  try {
    const { message } = prepareMessage(
      queue,
      payload,
      // FIFO targets: event, rule and target deduplicate a re-dispatch, never two targets of one event.
      queue.settings.fifo ? { groupId: target.messageGroupId ?? undefined, deduplicationId: `${e.eventId}:${rule.record.id}:${target.id}` } : {},
      input.queueLimits,
    );
    let batch = sends.get(queue.id);
    if (!batch) sends.set(queue.id, (batch = { queueId: queue.id, messages: [], options: sendOptionsFor(queue, input.queueLimits) }));
    batch.messages.push(message);
    // The message holds the payload; the delivery record only tells the trace it happened.
    return { ...base, route: null, payload: '', state: 'delivered' };
  } catch {
    return pending; // e.g. too large for the queue, or a FIFO queue without a group: the worker reports why
  }
}
