import { BUS_WAKE } from '../store/bus-contract.js';
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
  /** Events per dispatch transaction. @defaultValue 200 */
  batchSize?: number;
  /** Longest wait between looks at the inbox when no wake-up comes (other processes on one SQLite file), ms. @defaultValue 1000 */
  pollMs?: number;
  /**
   * Dispatch loops in this process. Stores that let several writers claim at once (PostgreSQL)
   * may gain from more when the database has spare cores; SQLite has one writer. @defaultValue 1
   */
  concurrency?: number;
}

/**
 * Moves events from the inbox to their targets: matches each with the bus's compiled rules and
 * commits the deliveries (and the messages of queue targets) with the events' removal from the
 * inbox. Publishers never wait for this; a crash before commit leaves the events in the inbox.
 */
export class Dispatcher {
  readonly #d: BusDeps;
  readonly #batch: number;
  readonly #pollMs: number;
  readonly #stop = new AbortController();
  #loop: Promise<unknown> | null = null;
  readonly #loops: number;

  constructor(deps: BusDeps, options: DispatcherOptions = {}) {
    this.#d = deps;
    this.#batch = options.batchSize ?? 200;
    this.#pollMs = options.pollMs ?? 1000;
    this.#loops = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.#loop ??= Promise.all(Array.from({ length: this.#loops }, () => this.#run()));
  }

  /** Dispatches what the inbox holds now, once; returns how many events (tests, CLI). */
  async dispatchOnce(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      // The version read inside the dispatch transaction decides freshness: no separate check first.
      const { buses, version: compiledFrom } = attempt === 0 ? await this.#d.state.cached() : await this.#d.state.checked();
      const queues = await this.#resolveQueues(buses);
      const summary: PlanSummary = { events: 0, matched: 0, deliveries: 0 };
      try {
        const n = await this.#d.store.bus.dispatch(this.#batch, (events, _now, rulesVersion) => {
          // Rules changed after we compiled (and before these events were put): plan again with them.
          if (rulesVersion !== compiledFrom) throw new StaleRules();
          return planDispatch(events, { buses, queues, queueLimits: this.#d.queueLimits }, summary);
        });
        if (n > 0) this.#d.events.emit('dispatch:done', summary);
        return n;
      } catch (error) {
        if (!(error instanceof StaleRules) || attempt >= 5) throw error;
      }
    }
  }

  #run(): Promise<void> {
    const signal = this.#stop.signal;
    return runLoop(signal, this.#d.clock, (error) => this.#d.events.emit('bus:error', { error }), async () => {
      // Subscribe before looking, so an event put while we dispatch is not missed.
      let woke = false;
      const off = this.#d.store.bus.onWake(BUS_WAKE.inbox, () => (woke = true));
      let n: number;
      try {
        n = await this.dispatchOnce();
      } finally {
        off();
      }
      if (n < this.#batch && !woke) {
        await waitForWake(this.#d.clock, (wake) => this.#d.store.bus.onWake(BUS_WAKE.inbox, wake), this.#pollMs, signal);
      }
    });
  }


  /** The queues that queue targets name, from the queue manager's short-lived cache. */
  async #resolveQueues(buses: ReadonlyMap<number, CompiledBus>): Promise<Map<string, QueueRecord>> {
    const names = new Set<string>();
    for (const bus of buses.values()) {
      for (const rule of bus.rules.values()) for (const t of rule.targets) if (t.kind.kind === 'queue') names.add(t.kind.queue);
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
