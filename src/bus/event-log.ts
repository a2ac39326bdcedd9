import { BallastError, check, isBallastError } from '../core/errors.js';
import type { EventTrace, NewBusEvent, ParkedEvent } from '../store/bus-contract.js';
import { DEFAULT_BUS, type OnBusDeps } from './buses.js';
import type { NamedEventTrace } from './types.js';
import {
  buildEvent,
  EntryError,
  isComplete,
  type PutEventsEntry,
  type PutEventsResultEntry,
} from './envelope.js';

/** The stored log of events: putEvents, an event's trace, and the events the dispatcher parked. */
export class EventLog {
  readonly #ctx: OnBusDeps;

  /** @internal created by the bus manager. */
  constructor(ctx: OnBusDeps) {
    this.#ctx = ctx;
  }

  /**
   * Commits 1–10 events and returns at once (matching and delivery happen afterwards). Each
   * entry gets an event id or its own error, in request order; the others still count.
   */
  async put(
    entries: readonly PutEventsEntry[],
  ): Promise<{ failedEntryCount: number; entries: PutEventsResultEntry[] }> {
    await this.#ctx.buses.ready();
    const max = this.#ctx.options.limits.maxEntriesPerPut;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > max) {
      throw new BallastError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${max}`,
      );
    }
    if (!entries.some(isComplete)) {
      throw new BallastError(
        'ValidationException',
        'Parameters Source, DetailType and Detail are required in at least one entry.',
      );
    }
    const now = this.#ctx.options.clock.now();
    const results: PutEventsResultEntry[] = [];
    const toStore: { index: number; event: NewBusEvent; bus: string }[] = [];
    for (const [index, entry] of entries.entries()) {
      try {
        const bus = await this.#ctx.buses
          .get(entry.eventBusName ?? DEFAULT_BUS)
          .catch((error: unknown) => {
            if (isBallastError(error) && error.code === 'ResourceNotFoundException')
              throw new EntryError('ResourceNotFoundException', error.message);
            throw error;
          });
        const built = buildEvent(entry, {
          region: this.#ctx.options.region,
          accountId: this.#ctx.options.accountId,
          now,
          limits: this.#ctx.options.limits,
        });
        results.push({ eventId: built.eventId });
        toStore.push({
          index,
          bus: bus.name,
          event: {
            busId: bus.id,
            eventId: built.eventId,
            body: built.body,
            eventTime: built.eventTime,
            replayName: null,
            onlyRuleIds: null,
          },
        });
      } catch (error) {
        if (!(error instanceof EntryError)) throw error;
        results.push({ errorCode: error.errorCode, errorMessage: error.message });
      }
    }
    if (toStore.length > 0) {
      await this.#ctx.store.bus.putEvents(toStore.map((s) => s.event));
      const perBus = new Map<string, number>();
      for (const s of toStore) perBus.set(s.bus, (perBus.get(s.bus) ?? 0) + 1);
      for (const [bus, count] of perBus) this.#ctx.events.emit('event:put', { bus, count });
    }
    return { failedEntryCount: entries.length - toStore.length, entries: results };
  }

  /** Everything stored about one event: its envelope, the rules it matched, each delivery and its attempts, and its parked error if any. */
  async trace(eventId: string): Promise<NamedEventTrace | undefined> {
    const trace: EventTrace | undefined = await this.#ctx.store.bus.traceEvent(eventId);
    if (!trace) return undefined;
    const { store, options } = this.#ctx;
    const buses = await store.bus.listBuses('', null, options.limits.maxBuses + 1);
    const rules =
      trace.deliveries.length === 0
        ? []
        : await store.bus.listRules(trace.event.busId, '', null, options.limits.maxRulesPerBus + 1);
    const ruleNames = new Map(rules.map((r) => [r.id, r.name]));
    return {
      ...trace,
      busName:
        buses.find((b) => b.id === trace.event.busId)?.name ?? `deleted-bus-${trace.event.busId}`,
      deliveries: trace.deliveries.map((d) => ({
        ...d,
        ruleName: ruleNames.get(d.ruleId) ?? `deleted-rule-${d.ruleId}`,
      })),
    };
  }

  /**
   * Events the dispatcher parked (its dead letters), oldest first, each with its error. Page with
   * `afterPosition` (the last position seen). @defaultValue limit 100, at most 1,000
   */
  parked(options: { afterPosition?: number; limit?: number }): Promise<ParkedEvent[]> {
    const limit = options.limit ?? 100;
    check(
      Number.isSafeInteger(limit) && limit >= 1 && limit <= 1000,
      'limit must be an integer from 1 to 1,000',
    );
    const after = options.afterPosition ?? 0;
    check(
      Number.isSafeInteger(after) && after >= 0,
      'afterPosition must be a non-negative integer',
    );
    return this.#ctx.store.bus.listParked(after, limit);
  }

  /**
   * Puts parked events back in the inbox: those with these event ids, or up to `limit` of all.
   * Returns how many. @defaultValue every parked event, 1,000 at a time
   */
  async redispatchParked(options: {
    eventIds?: readonly string[];
    limit?: number;
  }): Promise<number> {
    const limit = options.limit ?? 1000;
    check(
      Number.isSafeInteger(limit) && limit >= 1 && limit <= 10_000,
      'limit must be an integer from 1 to 10,000',
    );
    let positions: number[] | null = null;
    if (options.eventIds) {
      positions = [];
      for (const id of options.eventIds) {
        const trace = await this.#ctx.store.bus.traceEvent(id);
        if (trace?.dispatchError) positions.push(trace.event.position);
      }
      if (positions.length === 0) return 0;
    }
    let total = 0;
    for (;;) {
      const n = await this.#ctx.store.bus.redispatchParked(positions, limit);
      total += n;
      if (positions !== null || n < limit) return total;
    }
  }
}
