/**
 * Ballast: fail-safe interactions for distributed workloads.
 * This is the curated public API; feature subpaths (`ballast/queue`, `ballast/server`, …) hold the rest.
 */
export { openBallast, type Ballast, type BallastOptions } from './ballast.js';
export {
  BallastError,
  isBallastError,
  ERROR_SHAPES,
  type BallastErrorCode,
} from './core/errors.js';
export { systemClock, type Clock } from './core/clock.js';
export { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './core/limits.js';
export { openStore, DEFAULT_STORE_URL } from './store/open.js';
export type {
  Store,
  StoreCapabilities,
  StoreCondition,
  StoreConditionEvent,
} from './store/contract.js';
export {
  requireFeatures,
  type AnyStore,
  type FeatureName,
  type FeatureStores,
  type StoreBase,
} from './store/contract.js';
export { openStoreWith, type OpenStoreOptions } from './store/registry.js';
export * from './queue/index.js';
