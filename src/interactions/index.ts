/**
 * `ballast/interactions`: declared hard- and soft-real-time interactions (`defineInteraction`),
 * the 202-Accepted adapter of soft real-time, and their metrics. The parts they are built from
 * are `ballast/resilience`; the REL04 analyser behind `ballast doctor` is `ballast/doctor`.
 */
export {
  defineInteraction,
  type HardRealTimeOptions,
  type SoftRealTimeOptions,
} from './interaction.js';
export {
  HardRealTimeInteraction,
  type AttemptContext,
  type CallOptions,
  type EndpointPicker,
  type InteractionStats,
} from './hard-real-time.js';
export {
  newOperationId,
  operationIdFor,
  SoftRealTimeInteraction,
  type OperationContext,
  type OperationState,
  type OperationStatus,
  type ProcessOptions,
  type SoftRealTimeHost,
  type Submission,
} from './soft-real-time.js';
export { acceptListener, acceptRoutes, type AcceptRoutesOptions } from './accept-http.js';
export { registerInteractionMetrics } from './metrics.js';

// Compatibility: everything in `ballast/resilience` used to be exported from here, so code written
// before the move still compiles. Deprecated: import it from 'ballast/resilience'; this re-export
// goes in 0.2.
export * from '../resilience/index.js';
