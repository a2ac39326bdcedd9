import { type Clock, systemClock } from './core/clock.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './core/limits.js';
import { markClosed, markRunning } from './core/lifecycle.js';
import type { Store } from './store/contract.js';
import { DEFAULT_STORE_URL, openStore } from './store/open.js';
import { Queues } from './queue/queues.js';
import { EventBuses } from './bus/event-buses.js';
import { DEFAULT_BUS_LIMITS, type BusLimits } from './bus/limits.js';
import type { DispatcherOptions } from './bus/dispatcher.js';
import type { DeliveryWorkerOptions } from './bus/worker.js';

/** Options of `openBallast`. */
export interface BallastOptions {
  /** Store URL (`sqlite:<path>` or `postgres://…`) or an opened Store. @defaultValue 'sqlite:./.ballast/ballast.db' */
  store?: string | Store;
  /** Time source. @defaultValue the system clock */
  clock?: Clock;
  /** Override SQS limits (see `DEFAULT_QUEUE_LIMITS`). */
  limits?: Partial<QueueLimits>;
  /** Region in ARNs and URLs. @defaultValue 'us-east-1' */
  region?: string;
  /** Account id in ARNs and URLs. @defaultValue '000000000000' */
  accountId?: string;
  /** Remove expired messages in the background every this many ms; 0 = never. @defaultValue 10_000 */
  retentionSweepMs?: number;
  /** Override EventBridge limits (see `DEFAULT_BUS_LIMITS`). */
  busLimits?: Partial<BusLimits>;
  /**
   * Event bus work in this process. `background: false` (or `bus: false`): this process only publishes and
   * configures; dispatch and deliveries run elsewhere (or through `dispatchOnce`/`deliverOnce`). @defaultValue {}
   */
  bus?:
    | false
    | { background?: boolean; dispatcher?: DispatcherOptions; worker?: DeliveryWorkerOptions };
  /** Reuse approximate queue counts for this many ms, so counting never runs per request; 0 = always count. @defaultValue 1000 */
  statsTtlMs?: number;
}

/** An open Ballast: queues (and later the bus, idempotency, health) over one store. */
export interface Ballast {
  readonly store: Store;
  readonly queues: Queues;
  /** Event buses, rules, targets, putEvents (EventBridge semantics). */
  readonly bus: EventBuses;
  readonly clock: Clock;
  /** Region in every ARN and URL this Ballast hands out (`BallastOptions.region`). @defaultValue 'us-east-1' */
  readonly region: string;
  /** Account id in every ARN and URL this Ballast hands out (`BallastOptions.accountId`). @defaultValue '000000000000' */
  readonly accountId: string;
  /** Stops background work and closes the store; idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens Ballast on a store (created and migrated as needed). */
export async function openBallast(options: BallastOptions = {}): Promise<Ballast> {
  const clock = options.clock ?? systemClock;
  const store =
    typeof options.store === 'object'
      ? options.store
      : // Only an injected clock replaces the database clock on PostgreSQL: by default every node asks the database.
        await openStore(
          options.store ?? DEFAULT_STORE_URL,
          options.clock ? { clock: options.clock } : {},
        );
  const limits: QueueLimits = { ...DEFAULT_QUEUE_LIMITS, ...options.limits };
  // Resolved once: queues, the bus and the server (QueueUrls, CreatedBy) all read these two.
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const queues = new Queues(store, {
    clock,
    limits,
    region,
    accountId,
    ...(options.statsTtlMs !== undefined ? { statsTtlMs: options.statsTtlMs } : {}),
  });
  queues.moveTasks.watch();
  const busLimits: BusLimits = { ...DEFAULT_BUS_LIMITS, ...options.busLimits };
  const busOptions = options.bus === false ? { background: false } : (options.bus ?? {});
  const bus = new EventBuses(store, queues, {
    clock,
    limits: busLimits,
    queueLimits: limits,
    region,
    accountId,
    ...(busOptions.dispatcher ? { dispatcher: busOptions.dispatcher } : {}),
    ...(busOptions.worker ? { worker: busOptions.worker } : {}),
  });
  await bus.ready();
  if (busOptions.background !== false) bus.start();
  const sweep = new AbortController();
  const sweepMs = options.retentionSweepMs ?? 10_000;
  const sweeper =
    sweepMs > 0
      ? runSweeper(store, clock, sweepMs, busLimits.traceRetentionSeconds * 1000, sweep.signal)
      : Promise.resolve();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      sweep.abort();
      await sweeper;
      await bus.stop();
      await queues.moveTasks.close();
      await store.close();
      markClosed(ballast);
    })());
  const ballast: Ballast = {
    store,
    queues,
    bus,
    clock,
    region,
    accountId,
    close,
    [Symbol.asyncDispose]: close,
  };
  markRunning(ballast, 'ballast (store and retention sweeper)');
  return ballast;
}

async function runSweeper(
  store: Store,
  clock: Clock,
  everyMs: number,
  traceRetentionMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (await clock.sleep(everyMs, signal)) {
    try {
      // Remove in bounded chunks so one sweep never holds the writer for long.
      while (!signal.aborted && (await store.queues.removeExpired(1000)) === 1000);
      const now = clock.now();
      while (
        !signal.aborted &&
        (await store.bus.removeEventsBefore(now - traceRetentionMs, 1000)) === 1000
      );
      while (!signal.aborted && (await store.bus.removeExpiredArchived(now, 1000)) === 1000);
    } catch {
      // The store may be restarting; the next sweep tries again.
    }
  }
}
