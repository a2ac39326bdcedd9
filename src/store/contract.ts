/**
 * THE storage contract. Core logic reaches storage only through these interfaces; drivers
 * (SQLite, PostgreSQL, Redis) sit behind them, found by URL scheme in registry.ts. A store is a
 * base (time, health, lifecycle) plus the FEATURE STORES its driver offers, each a contract of
 * its own: queues (queue-contract.ts), bus (bus-contract.ts), idempotency
 * (idempotency-contract.ts); streams and workflows will be two more. A driver lists its features
 * in `features` and what it can do in `capabilities`; the domain and the contract suites branch
 * on those, never on the driver's name. Transactions user code joins go through
 * `StoreTransaction` (transaction.ts).
 *
 * Time: drivers read "now" from their time source: the injected Clock when there is one, else
 * the database's clock where it keeps time (PostgreSQL, Redis) or the system clock (SQLite).
 * All times are epoch milliseconds.
 */
import { BallastError } from '../core/errors.js';
import type { BusStore } from './bus-contract.js';
import type { IdempotencyStore } from './idempotency-contract.js';
import type { QueueStore } from './queue-contract.js';

// The queue feature's types were first declared here; importers of contract.js keep working.
export * from './queue-contract.js';

/** Every feature store a driver may offer, by name. */
export interface FeatureStores {
  /** Queues and messages (SQS). */
  readonly queues: QueueStore;
  /** Event buses, rules, the event log and deliveries (EventBridge). */
  readonly bus: BusStore;
  /** Idempotency records (keys, leases, stored outcomes). */
  readonly idempotency: IdempotencyStore;
}

/** The name of a feature store. */
export type FeatureName = keyof FeatureStores;

/** The features a Ballast (queues, buses, idempotency, interactions) needs from its store. */
export const BALLAST_FEATURES = [
  'queues',
  'bus',
  'idempotency',
] as const satisfies readonly FeatureName[];

/** What a Ballast needs, as a type: the default of `Store`. */
export type BallastFeature = (typeof BALLAST_FEATURES)[number];

/** What a driver can and cannot do; the domain and the contract suites branch on these, never on the driver's name. */
export interface StoreCapabilities {
  /** Wake-ups cross process boundaries (PostgreSQL LISTEN/NOTIFY); otherwise in-process only. */
  readonly crossProcessWakeups: boolean;
  /** Several processes may use one store as one service. */
  readonly multiNode: boolean;
  /** Deadlines are decided with the database's clock. */
  readonly databaseClock: boolean;
  /**
   * Transactions user code joins (`StoreTransaction`) are synchronous: a handler must write
   * without `await`, and the outbox can send inside the caller's own synchronous transaction
   * (`QueueStore.sendWithinSync`). False where they are asynchronous or absent.
   */
  readonly synchronousTransactions: boolean;
}

/**
 * Whether the store can write, as its latest calls found it. A read-only ping succeeds on a
 * full disk, so drivers remember the outcome of their writes instead.
 */
export interface StoreCondition {
  /**
   * False from a call that failed for a reason outside Ballast (full disk, I/O error, read-only
   * file or database, lost connection: every `StoreUnavailable`) until a durable write (a send,
   * an event put, a stored record) or a `probeWrite()` succeeds.
   */
  readonly writable: boolean;
  /** Epoch ms (the store's clock, wall clock where the database keeps time) the current state began; the open time at first. */
  readonly since: number;
  /** The driver's code of the latest failure (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`, `ENOSPC`, SQLSTATE `53100`, `ECONNREFUSED`…); null while writable. */
  readonly code: string | null;
  /** The latest failure in words ("the disk is full"); null while writable. */
  readonly reason: string | null;
}

/**
 * What `Store.onCondition` listeners hear: every failing call (`failure`, with `started` true
 * for the first one after a writable state) and the end of an outage (`recovered`).
 */
export type StoreConditionEvent =
  | {
      readonly type: 'failure';
      readonly code: string;
      readonly reason: string;
      /** True when this failure ended a writable state (an outage starts). */
      readonly started: boolean;
      readonly condition: StoreCondition;
    }
  | {
      readonly type: 'recovered';
      readonly condition: StoreCondition;
      /** The condition that just ended. */
      readonly outage: StoreCondition;
      /** How long writes failed, ms. */
      readonly durationMs: number;
    };

/** What every store has, whatever its features: time, health, lifecycle. */
export interface StoreBase {
  /** The driver's name (`sqlite`, `postgres`, `redis`), for messages and logs only: never branch on it. */
  readonly kind: string;
  /** The feature stores this store offers (its properties of the same names). */
  readonly features: readonly FeatureName[];
  readonly capabilities: StoreCapabilities;
  /** Epoch ms by the store's clock (database clock or injected Clock). */
  now(): Promise<number>;
  /** Throws `StoreUnavailable` when the store cannot be reached. Reads only: see `condition()` for writes. */
  ping(): Promise<void>;
  /** The write condition as the latest calls left it (no I/O). */
  condition(): StoreCondition;
  /**
   * One tiny durable write to the store's own probe, which a full disk refuses like a send:
   * resolves (and clears a failed condition) when it commits, rejects `StoreUnavailable` (and
   * keeps it) otherwise. Health checks call it while `condition().writable` is false, so the
   * store recovers with no traffic.
   */
  probeWrite(): Promise<void>;
  /** Subscribes to failures and recoveries; returns the unsubscribe function. A throwing listener is ignored. */
  onCondition(listener: (event: StoreConditionEvent) => void): () => void;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
  /** `await using store = …`: calls `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A store offering the features `F`: the base plus those feature stores. `Store` alone is what a
 * Ballast needs (queues, bus, idempotency); `Store<'idempotency'>` is enough for idempotency.
 */
export type Store<F extends FeatureName = BallastFeature> = StoreBase & Pick<FeatureStores, F>;

/** A store of any driver, its features not yet checked (see `requireFeatures`). */
export type AnyStore = StoreBase & Partial<FeatureStores>;

/** The features of `features` that `store` does not offer. */
export function missingFeatures(
  offered: readonly FeatureName[],
  features: readonly FeatureName[],
): FeatureName[] {
  return features.filter((f) => !offered.includes(f));
}

/** The typed error for a store (or driver) that lacks features: `UnsupportedOperation`, naming both. */
export function unsupportedFeatures(
  driver: string,
  missing: readonly FeatureName[],
  offered: readonly FeatureName[],
): BallastError {
  return new BallastError(
    'UnsupportedOperation',
    `the ${driver} store does not offer ${missing.join(', ')} (it offers ${offered.join(', ') || 'nothing'})`,
  );
}

/** `store` typed with `features`; throws `UnsupportedOperation` naming the driver and the missing features. */
export function requireFeatures<F extends FeatureName>(
  store: AnyStore,
  features: readonly F[],
): Store<F> {
  const missing = missingFeatures(store.features, features);
  if (missing.length > 0) throw unsupportedFeatures(store.kind, missing, store.features);
  return store as Store<F>;
}
