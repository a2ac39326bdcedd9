import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';
import { isoSeconds } from './envelope.js';
import type { BusEvents } from './events.js';
import { runLoop } from './loop.js';
import { ruleArn } from './runtime.js';
import { parseSchedule } from './schedule.js';
import type { ArnScope } from './targets.js';

/** Scheduler options. */
export interface SchedulerOptions {
  /** Longest sleep between looks at the schedules (rules put on other nodes show up by then), ms. @defaultValue 10_000 */
  pollMs?: number;
}

/** `detail-type` of the events scheduled rules emit (EventBridge's). */
export const SCHEDULED_EVENT = 'Scheduled Event';

/**
 * Fires scheduled rules: every process runs one; for each due rule, a conditional update of the
 * rule's next firing decides which process fires, so each period fires once across the service.
 * Missed periods (every node down) fire once, not as a burst; the next firing counts from now.
 */
export class Scheduler {
  readonly #store: Store;
  readonly #scope: ArnScope;
  readonly #clock: Clock;
  readonly #events: BusEvents;
  readonly #pollMs: number;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(
    store: Store,
    scope: ArnScope,
    clock: Clock,
    events: BusEvents,
    options: SchedulerOptions = {},
  ) {
    this.#store = store;
    this.#scope = scope;
    this.#clock = clock;
    this.#events = events;
    this.#pollMs = options.pollMs ?? 10_000;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Fires what is due now; returns how many firings this process won. */
  async runOnce(): Promise<number> {
    const now = await this.#store.now();
    let fired = 0;
    const dueList = await this.#store.bus.dueSchedules(now, 100);
    if (dueList.length === 0) return 0;
    const buses = new Map(
      (await this.#store.bus.listBuses('', null, 1000)).map((b) => [b.id, b.name]),
    );
    for (const due of dueList) {
      let next: number | null;
      try {
        next = parseSchedule(due.scheduleExpression).next(Math.max(now, due.dueAt));
      } catch {
        next = null; // a stored expression that no longer parses stops firing rather than blocking the others
      }
      const id = randomUUID();
      const arn = ruleArn(this.#scope, buses.get(due.busId) ?? 'default', due.name);
      const envelope = {
        version: '0',
        id,
        'detail-type': SCHEDULED_EVENT,
        source: 'aws.events',
        account: this.#scope.accountId,
        time: isoSeconds(due.dueAt),
        region: this.#scope.region,
        resources: [arn],
        detail: {},
      };
      const won = await this.#store.bus.fireSchedule(due.ruleId, due.dueAt, next, {
        busId: due.busId,
        eventId: id,
        body: JSON.stringify(envelope),
        eventTime: due.dueAt,
        replayName: null,
        onlyRuleIds: [due.ruleId],
      });
      if (won) fired++;
    }
    return fired;
  }

  #run(): Promise<void> {
    const signal = this.#stop.signal;
    return runLoop(
      signal,
      this.#clock,
      (error) => this.#events.emit('bus:error', { error }),
      async () => {
        await this.runOnce();
        const next = await this.#store.bus.nextScheduleAt();
        const now = await this.#store.now();
        await this.#clock.sleep(
          next === null ? this.#pollMs : Math.max(1, Math.min(this.#pollMs, next - now)),
          signal,
        );
      },
    );
  }

  /** Stops the loop. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }
}
