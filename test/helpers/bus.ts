import type { DispatchPlan, StoredBusEvent } from '../../src/store/bus-contract.js';
import type { Store } from '../../src/store/contract.js';

/** A plan's writes; `handled` (every claimed event) and `parked` (none) are filled in by `dispatchAll`. */
export type PlanWrites = Omit<DispatchPlan, 'handled' | 'parked'> &
  Partial<Pick<DispatchPlan, 'handled' | 'parked'>>;

/** `store.bus.dispatch` of up to `maxEvents` with no byte budget, where the plan handles every claimed event unless it says otherwise. */
export function dispatchAll(
  store: Pick<Store, 'bus'>,
  maxEvents: number,
  plan: (events: readonly StoredBusEvent[], now: number, rulesVersion: number) => PlanWrites,
): Promise<number> {
  return store.bus.dispatch(
    { maxEvents, maxBytes: Number.MAX_SAFE_INTEGER },
    (events, now, version) => ({
      handled: events.map((e) => e.position),
      parked: [],
      ...plan(events, now, version),
    }),
  );
}
