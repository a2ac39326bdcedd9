import type { QueueLimits } from '../core/limits.js';
import { prepareMessage, sendOptionsFor } from '../queue/prepare.js';
import { isBallastError } from '../core/errors.js';
import type {
  DispatchPlan,
  NewDelivery,
  ParkedWrite,
  QueueSend,
  StoredBusEvent,
} from '../store/bus-contract.js';
import type { NewMessage, QueueRecord } from '../store/contract.js';
import type { CompiledBus, CompiledRule } from './runtime.js';
import { SCHEDULED_EVENT } from './scheduler.js';
import { type CompiledTarget, routeOf } from './targets.js';

/** One queue's messages of a plan, filled as events match. */
type QueueBatch = QueueSend & { messages: NewMessage[] };

/** The least work one delivery is counted as toward `maxBytes`: writing its rows costs about as much as reading this much event text. */
export const DELIVERY_COST_BYTES = 4096;

/** What planning needs besides the events. */
export interface PlanInput {
  readonly buses: ReadonlyMap<number, CompiledBus>;
  /** Queue targets resolved before the transaction (absent = the queue does not exist now). */
  readonly queues: ReadonlyMap<string, QueueRecord>;
  readonly queueLimits: QueueLimits;
  /**
   * Work budget of one plan, bytes of event text read plus payload text written (each delivery
   * counted as at least `DELIVERY_COST_BYTES`): once passed, the remaining events stay in the
   * inbox for the next dispatch (the first event is always planned).
   */
  readonly maxBytes: number;
  /** Epoch ms, stamped on parked errors. */
  readonly now: number;
}

/** Counts of one plan, for events and metrics. */
export interface PlanSummary {
  events: number;
  matched: number;
  deliveries: number;
  /** Events parked with their error instead of being matched. */
  parked: number;
  /** Deliveries to queue targets written in the dispatch transaction (delivered at commit). */
  queueDelivered: number;
}

/** One event's writes, merged into the plan only when the whole event was planned. */
interface EventWrites {
  readonly deliveries: NewDelivery[];
  readonly messages: { queue: QueueRecord; message: NewMessage }[];
  readonly archived: { archiveId: number; position: number }[];
  matched: number;
  /** Bytes of payload text this event produces. */
  bytes: number;
}

/**
 * Matches events and decides every write of their dispatch: a queue target whose queue exists
 * and accepts the message is delivered in the dispatch transaction; anything else becomes a
 * pending delivery that a worker attempts (and retries, or dead-letters) on its own. An event
 * that cannot be matched or shaped is parked with its error: it never blocks the events behind it.
 */
export function planDispatch(
  events: readonly StoredBusEvent[],
  input: PlanInput,
  summary: PlanSummary,
): DispatchPlan {
  const handled: number[] = [];
  const deliveries: NewDelivery[] = [];
  const sends = new Map<number, QueueBatch>();
  const archived: { archiveId: number; position: number }[] = [];
  const parked: ParkedWrite[] = [];
  let work = 0;
  for (const e of events) {
    if (handled.length > 0 && work >= input.maxBytes) break;
    handled.push(e.position);
    summary.events++;
    work += e.body.length;
    let writes: EventWrites | null;
    try {
      writes = planEvent(e, input);
    } catch (error) {
      const p = { position: e.position, error: { ...describeError(error), at: input.now } };
      parked.push(p);
      summary.parked++;
      continue;
    }
    if (writes === null) continue;
    work += writes.bytes;
    summary.matched += writes.matched;
    summary.queueDelivered += writes.messages.length;
    deliveries.push(...writes.deliveries);
    archived.push(...writes.archived);
    for (const { queue, message } of writes.messages) {
      let batch = sends.get(queue.id);
      if (!batch)
        sends.set(
          queue.id,
          (batch = {
            queueId: queue.id,
            messages: [],
            options: sendOptionsFor(queue, input.queueLimits),
          }),
        );
      batch.messages.push(message);
    }
  }
  summary.deliveries += deliveries.length;
  return { handled, deliveries, sends: [...sends.values()], archived, parked };
}

/** One event's writes; null when nothing can match (its bus is gone, its text unreadable); throws when it cannot be matched. */
function planEvent(e: StoredBusEvent, input: PlanInput): EventWrites | null {
  const bus = input.buses.get(e.busId);
  if (!bus) return null; // the bus was deleted: nothing can match
  const event = JSON.parse(e.body) as Record<string, unknown>;
  const writes: EventWrites = { deliveries: [], messages: [], archived: [], matched: 0, bytes: 0 };
  const only = e.onlyRuleIds === null ? null : new Set(e.onlyRuleIds.map(String));
  // A scheduled rule's event goes to that rule whatever its pattern (publishers cannot use source aws.events).
  const scheduled =
    only !== null && event.source === 'aws.events' && event['detail-type'] === SCHEDULED_EVENT;
  for (const id of scheduled ? only : bus.matcher.match(event)) {
    if (only && !only.has(id)) continue;
    const rule = bus.rules.get(id);
    if (!rule) continue;
    writes.matched++;
    for (const target of rule.targets)
      writes.deliveries.push(deliver(e, event, rule, target, input, writes));
  }
  // Replayed events are never archived again.
  if (e.replayName === null) {
    for (const a of bus.archiveAll) writes.archived.push({ archiveId: a.id, position: e.position });
    for (const id of bus.archiveMatcher.match(event))
      writes.archived.push({ archiveId: Number(id), position: e.position });
  }
  return writes;
}

/** Why an event is parked, when planning itself decides it. */
class ParkReason extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The code and message a parked event keeps. */
function describeError(error: unknown): { code: string; message: string } {
  if (isBallastError(error) || error instanceof ParkReason)
    return { code: error.code, message: error.message };
  if (error instanceof SyntaxError)
    return { code: 'MalformedEvent', message: `The stored event is not JSON: ${error.message}` };
  return {
    code: 'InternalError',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

function deliver(
  e: StoredBusEvent,
  event: Record<string, unknown>,
  rule: CompiledRule,
  target: CompiledTarget,
  input: PlanInput,
  writes: EventWrites,
): NewDelivery {
  const base = { eventPosition: e.position, ruleId: rule.record.id, targetId: target.id };
  let payload: string;
  try {
    payload = target.shape(event, e.body, {
      ruleArn: rule.arn,
      ruleName: rule.record.name,
      ingestedAt: e.ingestedAt,
    });
  } catch (error) {
    // Shaping was validated at PutTargets, so this event itself defeats it (say, a value too deep
    // to serialise): sending it unshaped would hand the target a body it never agreed to.
    throw new ParkReason(
      'TransformationFailed',
      `Target ${target.id} of rule ${rule.record.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // A delivery costs a row or two to write whatever its size: count it as at least that much work.
  writes.bytes += Math.max(payload.length, DELIVERY_COST_BYTES);
  const pending: NewDelivery = { ...base, route: routeOf(target.kind), payload, state: 'pending' };
  if (target.kind.kind !== 'queue') return pending;
  const queue = input.queues.get(target.kind.queue);
  if (!queue) return pending; // the worker reports NO_RESOURCE (and dead-letters) on its own path
  try {
    const { message } = prepareMessage(
      queue,
      payload,
      // FIFO targets: event, rule and target deduplicate a re-dispatch, never two targets of one event.
      queue.settings.fifo
        ? {
            groupId: target.messageGroupId ?? undefined,
            deduplicationId: `${e.eventId}:${rule.record.id}:${target.id}`,
          }
        : {},
      input.queueLimits,
    );
    writes.messages.push({ queue, message });
    // The message holds the payload; the delivery record only tells the trace it happened.
    return { ...base, route: null, payload: '', state: 'delivered' };
  } catch {
    return pending; // e.g. too large for the queue, or a FIFO queue without a group: the worker reports why
  }
}
