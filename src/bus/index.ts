/**
 * `ballast/bus`: EventBridge semantics over the store — buses, rules, targets (queues, API
 * destinations, in-process functions), putEvents, archives and replays, connections. Reach it as
 * `ballast.bus` (an `EventBuses`); this subpath names its types so user code can declare them.
 */
export { EventBuses, type EventBusesOptions } from './event-buses.js';
export { DEFAULT_BUS } from './buses.js';
export { DEFAULT_BUS_LIMITS, type BusLimits } from './limits.js';
export { MAX_POLICY_BYTES, type PermissionGrant } from './policy.js';
export { MAX_TAGS } from './names.js';
// Every type of types.ts is public (TargetInput included, re-exported there from targets.ts).
export type * from './types.js';
export type { ArnScope, RetryPolicy } from './targets.js';
export type { InputShaping, InputTransformer } from './transform.js';
export type { PutEventsEntry, PutEventsResultEntry } from './envelope.js';
export { DeliveryError, type FunctionTarget, type FunctionTargetContext } from './invoke.js';
export { BusEvents, type BusEventMap } from './events.js';
export { SCHEDULED_EVENT, type SchedulerOptions } from './scheduler.js';
export type { DispatcherOptions } from './dispatcher.js';
export type { DeliveryWorkerOptions } from './worker.js';
export {
  Archives,
  MAX_RETENTION_DAYS,
  type ArchiveDescription,
  type ArchiveOptions,
} from './archives.js';
export { Replays, type ReplayDescription, type StartReplayOptions } from './replays.js';
export {
  ApiDestinations,
  Connections,
  type ApiDestinationDescription,
  type ApiDestinationOptions,
  type ApiDestinationRecord,
  type ApiDestinationStatus,
  type AuthorizationType,
  type ConnectionAuth,
  type ConnectionAuthUpdate,
  type ConnectionAuthView,
  type ConnectionParameter,
  type ConnectionRecord,
  type ConnectionStatus,
  type InvocationParameters,
} from './connections.js';
export type { EventTrace, ParkedEvent, ReplayState } from '../store/bus-contract.js';
