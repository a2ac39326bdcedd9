import { EventEmitter } from 'node:events';

/** Typed events of the bus (the server wires them to logs and metrics). */
export interface BusEventMap {
  /** Events committed by putEvents (count) on a bus. */
  'event:put': [{ bus: string; count: number }];
  /**
   * A dispatch batch: events taken from the inbox, rule matches, deliveries created, events
   * parked, and `queueDelivered`: deliveries to queue targets done in the dispatch transaction
   * itself (they never reach a delivery worker, so no `delivery:done` follows).
   */
  'dispatch:done': [
    { events: number; matched: number; deliveries: number; parked: number; queueDelivered: number },
  ];
  /** An event could not be matched, shaped or written: it left the inbox with this error (see `EventBuses.parkedEvents`). */
  'dispatch:parked': [{ eventId: string; position: number; code: string; message: string }];
  /** One delivery attempt failed; `retryAt` is set when it will be tried again. */
  'delivery:failed': [
    { deliveryId: number; route: string; error: string; message: string; retryAt: number | null },
  ];
  /** A delivery ended for good without success (to its dead-letter queue when it has one). */
  'delivery:dropped': [
    { deliveryId: number; route: string; deadLettered: boolean; reason: string },
  ];
  /** A delivery attempt succeeded. */
  'delivery:done': [{ deliveryId: number; route: string; attempts: number }];
  /** Background bus work hit an error talking to the store; it backs off and retries. */
  'bus:error': [{ error: unknown }];
}

/** An EventEmitter typed by `BusEventMap`. */
export class BusEvents extends EventEmitter<BusEventMap> {}
