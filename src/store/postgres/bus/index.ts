import { BUS_OPERATIONS, type BusStore } from '../../bus-contract.js';
import { bindOperations, type Guard } from '../../shared/bind.js';
import type { PgBase } from '../core/context.js';
import * as archives from './archives.js';
import * as config from './config.js';
import * as deliveries from './deliveries.js';
import * as dispatch from './dispatch.js';
import * as events from './events.js';
import * as replays from './replays.js';
import * as resources from './resources.js';
import * as rules from './rules.js';

/** The PostgreSQL bus store, composed of its operation modules; `guard` turns every call into a promise that rejects once the store is closed. */
export function postgresBusStore(ctx: PgBase, guard: Guard): BusStore {
  const operations = {
    ...config,
    ...rules,
    ...events,
    ...dispatch,
    ...deliveries,
    ...archives,
    ...resources,
    ...replays,
  };
  return {
    ...bindOperations(ctx, guard, operations, BUS_OPERATIONS),
    onWake: (key, listener) => ctx.wake.on(key, listener),
  };
}
