import { BUS_OPERATIONS, type BusStore } from '../../bus-contract.js';
import { bindOperations, type Guard } from '../../shared/bind.js';
import type { SqliteContext } from '../core/context.js';
import * as archives from './archives.js';
import * as config from './config.js';
import * as deliveries from './deliveries.js';
import * as events from './events.js';
import * as replays from './replays.js';
import * as resources from './resources.js';

/** The SQLite bus store, composed of its operation modules; `guard` turns every call into a promise that rejects once the store is closed. */
export function sqliteBusStore(ctx: SqliteContext, guard: Guard): BusStore {
  const operations = { ...config, ...events, ...deliveries, ...archives, ...resources, ...replays };
  return {
    ...bindOperations(ctx, guard, operations, BUS_OPERATIONS),
    onWake: (key, listener) => ctx.wake.on(key, listener),
  };
}
