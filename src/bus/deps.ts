import type { Clock } from '../core/clock.js';
import type { QueueLimits } from '../core/limits.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/contract.js';
import type { BusEvents } from './events.js';
import type { BusState } from './state.js';

/** What the bus's background parts (dispatcher, delivery worker) share. */
export interface BusDeps {
  readonly store: Store;
  readonly state: BusState;
  readonly queues: Queues;
  readonly queueLimits: QueueLimits;
  readonly events: BusEvents;
  readonly clock: Clock;
}
