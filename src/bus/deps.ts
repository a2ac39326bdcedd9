import type { Clock } from '../core/clock.js';
import type { QueueLimits } from '../core/limits.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/contract.js';
import type { BusEvents } from './events.js';
import type { BusLimits } from './limits.js';
import type { BusState } from './state.js';
import type { ArnScope } from './targets.js';

/** What the bus's background parts (dispatcher, delivery worker) share. */
export interface BusDeps {
  readonly store: Store;
  readonly state: BusState;
  readonly queues: Queues;
  readonly queueLimits: QueueLimits;
  readonly events: BusEvents;
  readonly clock: Clock;
}

/** What the bus's API objects (buses, event log, rules, targets) read. */
export interface BusApiDeps {
  readonly store: Store;
  /** ARN scope, the clock (caches, event times) and the bus limits. */
  readonly options: ArnScope & { readonly clock: Clock; readonly limits: BusLimits };
  readonly events: BusEvents;
}
