import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { checkInbox, handleOnce, type InboxOptions } from '../idempotency/inbox.js';
import { BallastError, check, isBallastError } from '../core/errors.js';
import type { QueueLimits } from '../core/limits.js';
import type { Queues } from '../queue/queues.js';
import type { BusRecord, EventTrace, NewBusEvent, ParkedEvent, RuleRecord } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { buildEvent, EntryError, isComplete, type PutEventsEntry, type PutEventsResultEntry } from './envelope.js';
import { BusEvents } from './events.js';
import type { FunctionTarget } from './invoke.js';
import type { BusLimits } from './limits.js';
import { checkPattern } from './matcher.js';
import { busName as checkBusName, description as checkDescription, ruleName as checkRuleName } from './names.js';
import { ruleArn } from './runtime.js';
import { BusState } from './state.js';
import { ApiDestinations, Connections } from './connections.js';
import { HttpInvoker } from './http-invoke.js';
import { parseSchedule } from './schedule.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import { Archives } from './archives.js';
import { Replays } from './replays.js';
import { type ArnScope, validateTarget } from './targets.js';
import type { EventBusDescription, OnBus, PageOptions, PutRuleOptions, RuleDescription, TargetFailure, TargetInput } from './types.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from './worker.js';

/** Options of the bus manager. */
export interface EventBusesOptions extends ArnScope {
  clock: Clock;
  limits: BusLimits;
  queueLimits: QueueLimits;
  dispatcher?: DispatcherOptions;
  worker?: DeliveryWorkerOptions;
  scheduler?: SchedulerOptions;
}

const DEFAULT_BUS = 'default';
/** How long a bus record is reused, ms; a bus deleted on another node is seen after this. */
const BUS_CACHE_MS = 1000;

/**
 * `ballast.bus`: EventBridge semantics over the store. Publishers' `putEvents` commits and
 * returns; matching and delivery run in the background from the stored log.
 */
export class EventBuses {
  /** Typed events of dispatch and delivery. */
  readonly events = new BusEvents();
  readonly #store: Store;
  readonly #options: EventBusesOptions;
  readonly #state: BusState;
  readonly #functions = new Map<string, FunctionTarget>();
  readonly #dispatcher: Dispatcher;
  readonly #worker: DeliveryWorker;
  #ready: Promise<void> | null = null;
  readonly #busCache = new Map<string, { bus: BusRecord; until: number }>();
  /** Archives of buses (events kept for replays). */
  readonly archives: Archives;
  /** Replays of archived events. */
  readonly replays: Replays;
  readonly #scheduler: Scheduler;
  /** Connections: how API destinations authenticate. */
  readonly connections: Connections;
  /** API destinations: HTTP endpoints rules can target. */
  readonly apiDestinations: ApiDestinations;

  readonly #totals = { dispatched: 0, matched: 0, parked: 0 };

  /** @internal created by `openBallast`. */
  constructor(store: Store, queues: Queues, options: EventBusesOptions) {
    // Counted from the start, so a metrics registry made later (a server started after the
    // backlog began to drain) still sees every event dispatched by this process.
    this.events.on('dispatch:done', (e) => {
      this.#totals.dispatched += e.events - e.parked;
      this.#totals.matched += e.matched;
    });
    this.events.on('dispatch:parked', () => void this.#totals.parked++);
    this.#store = store;
    this.#options = options;
    this.#state = new BusState(store, options, options.limits);
    const deps = { store, state: this.#state, queues, queueLimits: options.queueLimits, events: this.events, clock: options.clock };
    this.#dispatcher = new Dispatcher(deps, options.dispatcher);
    this.connections = new Connections(store, options, options.limits);
    this.apiDestinations = new ApiDestinations(store, options, options.limits, this.connections);
    const http = new HttpInvoker(this.apiDestinations, this.connections, options.clock);
    this.#worker = new DeliveryWorker(deps, this.#functions, options.worker, http);
    this.#scheduler = new Scheduler(store, options, options.clock, this.events, options.scheduler);
    const bus = (nameOrArn: string) => this.#bus(nameOrArn);
    this.archives = new Archives({ store, scope: options, limits: options.limits, bus, busArn: (name) => this.busArn(name) });
    this.replays = new Replays({
      store,
      clock: options.clock,
      scope: options,
      limits: options.limits,
      archives: this.archives,
      bus,
      ruleId: async (b, arn) => {
        const prefix = `arn:aws:events:${options.region}:${options.accountId}:rule/${b.name === DEFAULT_BUS ? '' : `${b.name}/`}`;
        const rule = arn.startsWith(prefix) ? await store.bus.getRule(b.id, arn.slice(prefix.length)) : undefined;
        if (!rule) throw new BallastError('ResourceNotFoundException', `Rule ${arn} does not exist on EventBus ${b.name}.`);
        return rule.id;
      },
    });
  }

  /** Makes sure the `default` bus exists (every node may call it; it is idempotent). */
  ready(): Promise<void> {
    // A failure (the store is down) is not remembered: the next call tries again.
    return (this.#ready ??= this.#store.bus.createBus(DEFAULT_BUS, { description: null, deadLetterArn: null, tags: {} }).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = null;
        throw error;
      },
    ));
  }

  /** Starts background dispatch and delivery (`openBallast` does this unless told not to). */
  start(): void {
    markRunning(this, 'event bus background work');
    this.#dispatcher.start();
    this.#worker.start();
    this.#scheduler.start();
    this.replays.watch();
  }

  /** Stops background work; attempts in progress finish first (replays stay active for another process to adopt). */
  async stop(): Promise<void> {
    await Promise.all([this.#dispatcher.stop(), this.#worker.stop(), this.#scheduler.stop(), this.replays.close()]);
    markClosed(this);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Events this process dispatched, rule matches and events parked, since it opened. */
  totals(): Readonly<{ dispatched: number; matched: number; parked: number }> {
    return { ...this.#totals };
  }

  /** Dispatches the inbox once (tests and tools; the background loop does this by itself). */
  dispatchOnce(): Promise<number> {
    return this.#dispatcher.dispatchOnce();
  }

  /** Fires the scheduled rules that are due, once; returns how many this process fired (tests and tools). */
  fireSchedulesOnce(): Promise<number> {
    return this.#scheduler.runOnce();
  }

  /** Attempts the due deliveries once and waits for them (tests and tools). */
  deliverOnce(): Promise<number> {
    return this.#worker.runOnce();
  }

  /**
   * Registers an in-process function target, addressed as `arn:aws:lambda:<region>:<account>:function:<name>`;
   * with `idempotency` it runs once per (event id, rule, target), and with `transactional` its
   * writes through `context.transaction` commit with that record. Returns the unregister function.
   */
  registerFunction(name: string, fn: FunctionTarget, options: InboxOptions = {}): () => void {
    checkInbox(options);
    // An idempotent function runs once per (event, rule, target): a retried or re-dispatched delivery is skipped.
    const target: FunctionTarget = options.idempotency
      ? async (event, ctx) => {
          const where = createHash('sha256').update(`${ctx.ruleArn} ${ctx.targetId}`).digest('hex').slice(0, 32);
          await handleOnce(options, { key: `${String(event.id)}:${where}`, scope: `fn:${name}` }, (transaction) =>
            fn(event, transaction ? { ...ctx, transaction } : ctx),
          );
        }
      : fn;
    this.#functions.set(name, target);
    return () => {
      if (this.#functions.get(name) === target) this.#functions.delete(name);
    };
  }

  /** ARN of an in-process function target. */
  functionArn(name: string): string {
    return `arn:aws:lambda:${this.#options.region}:${this.#options.accountId}:function:${name}`;
  }

  /** ARN of a bus. */
  busArn(name: string): string {
    return `arn:aws:events:${this.#options.region}:${this.#options.accountId}:event-bus/${name}`;
  }

  /** ARN of a rule. */
  ruleArn(name: string, eventBusName = DEFAULT_BUS): string {
    return ruleArn(this.#options, eventBusName, name);
  }

  // ---- buses -----------------------------------------------------------------------------

  /** Creates a bus (`ResourceAlreadyExistsException` when the name is taken). */
  async createEventBus(
    name: string,
    options: { description?: string; deadLetterConfig?: { arn: string }; tags?: Record<string, string> } = {},
  ): Promise<{ eventBusArn: string }> {
    await this.ready();
    checkBusName(name);
    if (name.startsWith('aws.')) throw new BallastError('ValidationException', 'Event bus names starting with aws. are reserved for partner buses.');
    const count = (await this.#store.bus.listBuses('', null, this.#options.limits.maxBuses + 1)).length;
    if (count >= this.#options.limits.maxBuses) {
      throw new BallastError('LimitExceededException', `The limit of ${this.#options.limits.maxBuses} event buses has been reached.`);
    }
    const { created } = await this.#store.bus.createBus(name, {
      description: checkDescription(options.description, this.#options.limits.maxDescriptionLength),
      deadLetterArn: options.deadLetterConfig?.arn ?? null,
      tags: options.tags ?? {},
    });
    if (!created) throw new BallastError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return { eventBusArn: this.busArn(name) };
  }

  /** Describes a bus (the default one when no name is given). */
  async describeEventBus(name = DEFAULT_BUS): Promise<EventBusDescription> {
    return this.#describeBus(await this.#bus(name));
  }

  /** Lists buses by name prefix. */
  async listEventBuses(options: { namePrefix?: string } & PageOptions = {}): Promise<{ eventBuses: EventBusDescription[]; nextToken?: string }> {
    await this.ready();
    const limit = pageLimit(options.limit);
    const rows = await this.#store.bus.listBuses(options.namePrefix ?? '', fromToken(options.nextToken), limit + 1);
    return page(rows.map((b) => this.#describeBus(b)), limit, 'eventBuses', (b) => b.name);
  }

  /** Deletes a bus with no rules left (the default bus cannot be deleted). Deleting a missing bus succeeds. */
  async deleteEventBus(name: string): Promise<void> {
    await this.ready();
    if (name === DEFAULT_BUS) throw new BallastError('ValidationException', 'Cannot delete event bus default.');
    const bus = await this.#store.bus.getBus(name);
    if (!bus) return;
    this.#busCache.delete(name);
    const r = await this.#store.bus.deleteBus(bus.id);
    if (r === 'hasRules') throw new BallastError('ValidationException', `Cannot delete event bus ${name} while it has rules.`);
  }

  // ---- events ----------------------------------------------------------------------------

  /**
   * Commits 1–10 events and returns at once (matching and delivery happen afterwards). Each
   * entry gets an event id or its own error, in request order; the others still count.
   */
  async putEvents(entries: readonly PutEventsEntry[]): Promise<{ failedEntryCount: number; entries: PutEventsResultEntry[] }> {
    await this.ready();
    const max = this.#options.limits.maxEntriesPerPut;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > max) {
      throw new BallastError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${max}`);
    }
    if (!entries.some(isComplete)) {
      throw new BallastError('ValidationException', 'Parameters Source, DetailType and Detail are required in at least one entry.');
    }
    const now = this.#options.clock.now();
    const results: PutEventsResultEntry[] = [];
    const toStore: { index: number; event: NewBusEvent; bus: string }[] = [];
    for (const [index, entry] of entries.entries()) {
      try {
        const bus = await this.#bus(entry.eventBusName ?? DEFAULT_BUS).catch((error: unknown) => {
          if (isBallastError(error) && error.code === 'ResourceNotFoundException') throw new EntryError('ResourceNotFoundException', error.message);
          throw error;
        });
        const built = buildEvent(entry, { region: this.#options.region, accountId: this.#options.accountId, now, limits: this.#options.limits });
        results.push({ eventId: built.eventId });
        toStore.push({ index, bus: bus.name, event: { busId: bus.id, eventId: built.eventId, body: built.body, eventTime: built.eventTime, replayName: null, onlyRuleIds: null } });
      } catch (error) {
        if (!(error instanceof EntryError)) throw error;
        results.push({ errorCode: error.errorCode, errorMessage: error.message });
      }
    }
    if (toStore.length > 0) {
      await this.#store.bus.putEvents(toStore.map((s) => s.event));
      const perBus = new Map<string, number>();
      for (const s of toStore) perBus.set(s.bus, (perBus.get(s.bus) ?? 0) + 1);
      for (const [bus, count] of perBus) this.events.emit('event:put', { bus, count });
    }
    return { failedEntryCount: entries.length - toStore.length, entries: results };
  }

  /** Everything stored about one event: its envelope, the rules it matched, each delivery and its attempts, and its parked error if any. */
  trace(eventId: string): Promise<EventTrace | undefined> {
    return this.#store.bus.traceEvent(eventId);
  }

  /**
   * Events the dispatcher parked because they could not be matched, shaped or written (the
   * dispatcher's dead letters), oldest first, each with its error; kept as long as traces are.
   * Page with `afterPosition` (the last position seen). @defaultValue limit 100, at most 1,000
   */
  parkedEvents(options: { afterPosition?: number; limit?: number } = {}): Promise<ParkedEvent[]> {
    const limit = options.limit ?? 100;
    check(Number.isSafeInteger(limit) && limit >= 1 && limit <= 1000, 'limit must be an integer from 1 to 1,000');
    const after = options.afterPosition ?? 0;
    check(Number.isSafeInteger(after) && after >= 0, 'afterPosition must be a non-negative integer');
    return this.#store.bus.listParked(after, limit);
  }

  /**
   * Puts parked events back in the inbox to be dispatched again (after the rule or target that
   * failed them was fixed): those with these event ids, or up to `limit` of all. Returns how many.
   * @defaultValue every parked event, 1,000 at a time
   */
  async redispatchParked(options: { eventIds?: readonly string[]; limit?: number } = {}): Promise<number> {
    const limit = options.limit ?? 1000;
    check(Number.isSafeInteger(limit) && limit >= 1 && limit <= 10_000, 'limit must be an integer from 1 to 10,000');
    let positions: number[] | null = null;
    if (options.eventIds) {
      positions = [];
      for (const id of options.eventIds) {
        const trace = await this.#store.bus.traceEvent(id);
        if (trace?.dispatchError) positions.push(trace.event.position);
      }
      if (positions.length === 0) return 0;
    }
    let total = 0;
    for (;;) {
      const n = await this.#store.bus.redispatchParked(positions, limit);
      total += n;
      if (positions !== null || n < limit) return total;
    }
  }

  // ---- rules -----------------------------------------------------------------------------

  /** Creates or replaces a rule (every omitted field is cleared, targets are kept). */
  async putRule(name: string, options: PutRuleOptions = {}): Promise<{ ruleArn: string }> {
    checkRuleName(name);
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const pattern = options.eventPattern === undefined ? null : typeof options.eventPattern === 'string' ? options.eventPattern : JSON.stringify(options.eventPattern);
    if (pattern === null && options.scheduleExpression === undefined) {
      throw new BallastError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (pattern !== null) checkPattern(pattern);
    const schedule = options.scheduleExpression === undefined ? null : parseSchedule(options.scheduleExpression);
    if (schedule && bus.name !== DEFAULT_BUS) {
      throw new BallastError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
    }
    const state = options.state ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw new BallastError('ValidationException', `State must be ENABLED or DISABLED, not ${String(state)}.`);
    if (!(await this.#store.bus.getRule(bus.id, name))) {
      const count = (await this.#store.bus.listRules(bus.id, '', null, this.#options.limits.maxRulesPerBus + 1)).length;
      if (count >= this.#options.limits.maxRulesPerBus) {
        throw new BallastError('LimitExceededException', `The limit of ${this.#options.limits.maxRulesPerBus} rules on event bus ${bus.name} has been reached.`);
      }
    }
    await this.#store.bus.putRule(bus.id, name, {
      eventPattern: pattern,
      scheduleExpression: schedule?.expression ?? null,
      // The first firing counts from now by the store's clock (the database's on PostgreSQL).
      nextFireAt: schedule ? schedule.next(await this.#store.now()) : null,
      state,
      description: checkDescription(options.description, this.#options.limits.maxDescriptionLength),
      roleArn: options.roleArn ?? null,
    });
    return { ruleArn: this.ruleArn(name, bus.name) };
  }

  /** Describes a rule (`ResourceNotFoundException` when absent). */
  async describeRule(name: string, options: OnBus = {}): Promise<RuleDescription> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    return this.#describeRule(bus, await this.#rule(bus, name));
  }

  /** Lists a bus's rules by name prefix. */
  async listRules(options: OnBus & { namePrefix?: string } & PageOptions = {}): Promise<{ rules: RuleDescription[]; nextToken?: string }> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const limit = pageLimit(options.limit);
    const rows = await this.#store.bus.listRules(bus.id, options.namePrefix ?? '', fromToken(options.nextToken), limit + 1);
    return page(rows.map((r) => this.#describeRule(bus, r)), limit, 'rules', (r) => r.name);
  }

  /** Deletes a rule that has no targets; deleting a missing rule succeeds. */
  async deleteRule(name: string, options: OnBus = {}): Promise<void> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const r = await this.#store.bus.deleteRule(bus.id, name);
    if (r === 'hasTargets') throw new BallastError('ValidationException', 'Rule can\'t be deleted since it has targets.');
  }

  /** Enables a rule. */
  enableRule(name: string, options: OnBus = {}): Promise<void> {
    return this.#setState(name, 'ENABLED', options);
  }

  /** Disables a rule: it matches nothing until enabled again. */
  disableRule(name: string, options: OnBus = {}): Promise<void> {
    return this.#setState(name, 'DISABLED', options);
  }

  async #setState(name: string, state: 'ENABLED' | 'DISABLED', options: OnBus): Promise<void> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const rule = await this.#rule(bus, name);
    // Enabling a schedule counts its next firing from now: periods missed while disabled do not fire.
    const nextFireAt = rule.scheduleExpression === null ? null : parseSchedule(rule.scheduleExpression).next(await this.#store.now());
    await this.#store.bus.putRule(bus.id, name, { ...rule, state, nextFireAt });
  }

  // ---- targets ---------------------------------------------------------------------------

  /** Adds or replaces targets of a rule (by id); invalid entries fail alone, up to 5 targets per rule. */
  async putTargets(rule: string, targets: readonly TargetInput[], options: OnBus = {}): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#rule(bus, rule);
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > 100) {
      throw new BallastError('ValidationException', 'Targets must have between 1 and 100 entries.');
    }
    const failed: TargetFailure[] = [];
    const valid = [];
    for (const t of targets) {
      try {
        valid.push(validateTarget(t, this.#options, this.#options.limits));
      } catch (error) {
        if (!isBallastError(error)) throw error;
        failed.push({ targetId: String(t?.id), errorCode: error.code, errorMessage: error.message });
      }
    }
    if (valid.length > 0) {
      const r = await this.#store.bus.putTargets(record.id, valid, this.#options.limits.maxTargetsPerRule);
      if (r === 'absent') throw new BallastError('ResourceNotFoundException', `Rule ${rule} does not exist on EventBus ${bus.name}.`);
      if (r === 'limit') {
        throw new BallastError('LimitExceededException', `The requested resource exceeds the maximum number allowed (${this.#options.limits.maxTargetsPerRule} targets per rule).`);
      }
    }
    return { failedEntryCount: failed.length, failedEntries: failed };
  }

  /** Removes targets by id. */
  async removeTargets(rule: string, ids: readonly string[], options: OnBus = {}): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#rule(bus, rule);
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) throw new BallastError('ValidationException', 'Ids must have between 1 and 100 entries.');
    await this.#store.bus.removeTargets(record.id, ids);
    // Removing an id that is not there is not an error in EventBridge either.
    return { failedEntryCount: 0, failedEntries: [] };
  }

  /** The targets of a rule. */
  async listTargetsByRule(rule: string, options: OnBus & PageOptions = {}): Promise<{ targets: TargetInput[]; nextToken?: string }> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#rule(bus, rule);
    const after = fromToken(options.nextToken);
    const all = record.targets.filter((t) => after === null || t.id > after).map((t) => ({ id: t.id, arn: t.arn, ...(t.config as object) }) as TargetInput);
    return page(all, pageLimit(options.limit), 'targets', (t) => t.id);
  }

  /** Names of the bus's rules with a target of this ARN. */
  async listRuleNamesByTarget(targetArn: string, options: OnBus & PageOptions = {}): Promise<{ ruleNames: string[]; nextToken?: string }> {
    const bus = await this.#bus(options.eventBusName ?? DEFAULT_BUS);
    const after = fromToken(options.nextToken);
    const names = (await this.#store.bus.loadRules())
      .filter((r) => r.busId === bus.id && r.targets.some((t) => t.arn === targetArn) && (after === null || r.name > after))
      .map((r) => r.name)
      .sort();
    return page(names, pageLimit(options.limit), 'ruleNames', (n) => n);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** The bus of a name or ARN, from a 1 s cache (publishers name a bus on every entry). */
  async #bus(nameOrArn: string): Promise<BusRecord> {
    const prefix = `arn:aws:events:${this.#options.region}:${this.#options.accountId}:event-bus/`;
    const name = nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : nameOrArn;
    const now = this.#options.clock.now();
    const hit = this.#busCache.get(name);
    if (hit && hit.until > now) return hit.bus;
    await this.ready();
    const bus = await this.#store.bus.getBus(name);
    if (!bus) {
      this.#busCache.delete(name);
      throw new BallastError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    }
    this.#busCache.set(name, { bus, until: now + BUS_CACHE_MS });
    return bus;
  }

  async #rule(bus: BusRecord, name: string): Promise<RuleRecord> {
    const rule = await this.#store.bus.getRule(bus.id, name);
    if (!rule) throw new BallastError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  #describeBus(b: BusRecord): EventBusDescription {
    return {
      name: b.name,
      arn: this.busArn(b.name),
      ...(b.description !== null ? { description: b.description } : {}),
      ...(b.deadLetterArn !== null ? { deadLetterConfig: { arn: b.deadLetterArn } } : {}),
      creationTime: b.createdAt,
      lastModifiedTime: b.modifiedAt,
    };
  }

  #describeRule(bus: BusRecord, r: RuleRecord): RuleDescription {
    return {
      name: r.name,
      arn: this.ruleArn(r.name, bus.name),
      eventBusName: bus.name,
      ...(r.eventPattern !== null ? { eventPattern: r.eventPattern } : {}),
      ...(r.scheduleExpression !== null ? { scheduleExpression: r.scheduleExpression } : {}),
      state: r.state,
      ...(r.description !== null ? { description: r.description } : {}),
      ...(r.roleArn !== null ? { roleArn: r.roleArn } : {}),
    };
  }
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
  return limit;
}

const fromToken = (token: string | undefined): string | null => {
  if (token === undefined) return null;
  try {
    return Buffer.from(token, 'base64url').toString('utf8');
  } catch {
    throw new BallastError('ValidationException', 'The NextToken is not valid.');
  }
};

function page<T, K extends string>(rows: T[], limit: number, key: K, name: (row: T) => string): { [P in K]: T[] } & { nextToken?: string } {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const out = { [key]: items } as { [P in K]: T[] } & { nextToken?: string };
  if (more && items.length > 0) out.nextToken = Buffer.from(name(items[items.length - 1]!), 'utf8').toString('base64url');
  return out;
}
