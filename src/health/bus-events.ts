import type { PutEventsEntry } from '../bus/envelope.js';
import type { Snapshot } from './types.js';

/** The event source of published snapshots. */
export const HEALTH_EVENT_SOURCE = 'ballast.health';
/** The detail type of published snapshots. */
export const HEALTH_EVENT_DETAIL_TYPE = 'Health Snapshot';

/**
 * One snapshot as an event-bus entry: the binary snapshot (base64; 10,000 endpoints → 3.4 KB,
 * the same size every tick) with its monitor, epoch, sequence and layout version in the detail,
 * so rules can route on them. Publish one per tick: `HealthService({ onSnapshot })`.
 */
export function snapshotEvent(
  bytes: Buffer,
  snapshot: Snapshot,
  eventBusName = 'default',
): PutEventsEntry {
  return {
    source: HEALTH_EVENT_SOURCE,
    detailType: HEALTH_EVENT_DETAIL_TYPE,
    eventBusName,
    time: snapshot.timeMs,
    detail: {
      monitorId: snapshot.monitorId,
      epoch: snapshot.epoch,
      sequence: snapshot.sequence,
      layoutVersion: snapshot.layoutVersion,
      endpointCount: snapshot.states.length,
      snapshot: bytes.toString('base64'),
    },
  };
}
