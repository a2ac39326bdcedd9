import { isBallastError } from '../core/errors.js';
import { BUS_WAKE, type ParkedWrite, type StoredBusEvent } from '../store/bus-contract.js';
import type { QueueRecord } from '../store/contract.js';
import type { BusDeps } from './deps.js';
import { planDispatch, type PlanSummary } from './plan.js';
import type { CompiledBus } from './runtime.js';
import { runLoop } from './loop.js';
import { waitForWake } from './wait.js';

/** Thrown inside a dispatch whose compiled rules are older than the store's: nothing is written. */
class StaleRules extends Error {}

/** Dispatcher options. */
export interface DispatcherOptions {
  /** Most events per dispatch transaction. @defaultValue 200 */
  batchSize?: number;
  /**
   * Work per dispatch transaction, bytes: event text read plus payload text written (a delivery
   * counts as at least 4 KiB: its rows cost that much to write). A batch
   * stops taking events once past it (one larger event is dispatched alone), so one event-loop
   * turn stays short however large the events. @defaultValue 1_048_576 (1 MiB)
   */
  maxBatchBytes?: number;
  /** Longest wait between looks at the inbox when no wake-up comes (other processes on one SQLite file), ms. @defaultValue 1000 */
  pollMs?: number;
  /**
   * Dispatch loops in this process. Stores that let several writers claim at once (PostgreSQL)
   * may gain from more when the database has spare cores; SQLite has one writer. @defaultValue 1
   */
  concurrency?: number;
}

/** Errors of the store itself (an outage, a closing store): retried later, never blamed on an event. */
const isOutage = (error: unknown): boolean =>
  isBallastError(error) && (error.code === 'StoreUnavailable' || error.code === 'Closed');

/**
 * Moves events from the inbox to their targets: matches each with the bus's compiled rules and
 * commits the deliveries (and the messages of queue targets) with the events' removal from the
 * inbox. Publishers never wait for this; a crash before commit leaves the events in the inbox.
 * An event that cannot be matched, shaped or written is parked with its error (`dispatch:parked`)
 * and never blocks the events behind it.
 */
export class Dispatcher {
  readonly #d: BusDeps;
  readonly #batch: number;
  readonly #maxBytes: number;
  readonly #pollMs: number;
  readonly #stop = new AbortController();
  #loop: Promise<unknown> | null = null;
  readonly #loops: number;
  /** Whether the last dispatch may have left events in the inbox (a full or budget-cut batch). */
  #more = false;

  constructor(deps: BusDeps, options: DispatcherOptions = {}) {
    this.#d = deps;
    this.#batch = options.batchSize ?? 200;
    this.#maxBytes = options.maxBatchBytes ?? 1_048_576;
    this.#pollMs = options.pollMs ?? 1000;
    this.#loops = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.#loop ??= Promise.all(Array.from({ length: this.#loops }, () => this.#run()));
  }

  /**
   * Dispatches one batch of what the inbox holds now; returns how many events it handled (tests,
   * CLI). A batch that fails for a reason other than a store outage is retried one event at a
   * time, and an event that fails alone twice with the same error is parked with it.
   */
  async dispatchOnce(): Promise<number> {
    try {
      return await this.#dispatch(this.#batch, null);
    } catch (error) {
      if (isOutage(error)) throw error;
      this.#d.events.emit('bus:error', { error });
    }
    const seen: { first: StoredBusEvent | null } = { first: null };
    let previous: string | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.#dispatch(1, seen);
      } catch (error) {
        if (isOutage(error) || seen.first === null) throw error;
        const code = isBallastError(error) ? error.code : 'InternalError';
        if (previous !== null && previous === code) {
          const message = error instanceof Error ? error.message : String(error);
          const parked = {
            position: seen.first.position,
            error: {
              code,
              message: `The dispatch of this event failed: ${message}`,
              at: this.#d.clock.now(),
            },
          };
          const n = await this.#d.store.bus.parkEvents([parked]);
          if (n > 0) this.#emitParked([seen.first], [parked]);
          return n;
        }
        previous = code;
      }
    }
    return 0;
  }

  /** One dispatch transaction of at most `maxEvents`; `seen` learns the first event it planned. */
  async #dispatch(
    maxEvents: number,
    seen: { first: StoredBusEvent | null } | null,
  ): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      // The version read inside the dispatch transaction decides freshness: no separate check first.
      const { buses, version: compiledFrom } =
        attempt === 0 ? await this.#d.state.cached() : await this.#d.state.checked();
      const queues = await this.#resolveQueues(buses);
      const summary: PlanSummary = {
        events: 0,
        matched: 0,
        deliveries: 0,
        parked: 0,
        queueDelivered: 0,
      };
      let planned: readonly StoredBusEvent[] = [];
      let parked: readonly ParkedWrite[] = [];
      let cut = false;
      try {
        const n = await this.#d.store.bus.dispatch(
          { maxEvents, maxBytes: this.#maxBytes },
          (events, now, rulesVersion, cutByBytes) => {
            if (seen) seen.first = events[0] ?? null;
            cut = cutByBytes;
            // Rules changed after we compiled (and before these events were put): plan again with them.
            if (rulesVersion !== compiledFrom) throw new StaleRules();
            planned = events;
            const plan = planDispatch(
              events,
              { buses, queues, queueLimits: this.#d.queueLimits, maxBytes: this.#maxBytes, now },
              summary,
            );
            parked = plan.parked;
            return plan;
          },
        );
        // Events were left behind when the batch was full, cut by the plan's budget, or cut by
        // the store's byte budget before an event that did not fit.
        this.#more = n > 0 && (planned.length >= maxEvents || n < planned.length || cut);
        if (n > 0) this.#d.events.emit('dispatch:done', summary);
        if (parked.length > 0) this.#emitParked(planned, parked);
        return n;
      } catch (error) {
        if (!(error instanceof StaleRules) || attempt >= 5) throw error;
      }
    }
  }

  #emitParked(events: readonly StoredBusEvent[], parked: readonly ParkedWrite[]): void {
    const byPosition = new Map(events.map((e) => [e.position, e]));
    for (const p of parked) {
      const e = byPosition.get(p.position);
      this.#d.events.emit('dispatch:parked', {
        eventId: e?.eventId ?? '',
        position: p.position,
        code: p.error.code,
        message: p.error.message,
      });
    }
  }

  #run(): Promise<void> {
    const signal = this.#stop.signal;
    return runLoop(
      signal,
      this.#d.clock,
      (error) => this.#d.events.emit('bus:error', { error }),
      async () => {
        // Subscribe before looking, so an event put while we dispatch is not missed.
        let woke = false;
        const off = this.#d.store.bus.onWake(BUS_WAKE.inbox, () => (woke = true));
        let n: number;
        try {
          n = await this.dispatchOnce();
        } finally {
          off();
        }
        // A batch that may have left events behind is followed at once (each dispatch is its own
        // store call, so other work gets the event loop in between); else wait for a wake-up.
        if (!(n > 0 && this.#more) && !woke) {
          await waitForWake(
            this.#d.clock,
            (wake) => this.#d.store.bus.onWake(BUS_WAKE.inbox, wake),
            this.#pollMs,
            signal,
          );
        }
      },
    );
  }

  /** The queues that queue targets name, from the queue manager's short-lived cache. */
  async #resolveQueues(buses: ReadonlyMap<number, CompiledBus>): Promise<Map<string, QueueRecord>> {
    const names = new Set<string>();
    for (const bus of buses.values()) {
      for (const rule of bus.rules.values())
        for (const t of rule.targets) if (t.kind.kind === 'queue') names.add(t.kind.queue);
    }
    const out = new Map<string, QueueRecord>();
    await Promise.all(
      [...names].map(async (name) => {
        const record = await this.#d.queues.record(name);
        if (record) out.set(name, record);
      }),
    );
    return out;
  }

  /** Stops the loop; a dispatch in progress finishes (or rolls back) first. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }
}
