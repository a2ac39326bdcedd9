import type { Clock } from '../core/clock.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import type { InboxOptions } from '../idempotency/inbox.js';
import type { QueueLimits } from '../core/limits.js';
import type { Queues } from '../queue/queues.js';
import type { ParkedEvent } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import { Buses, DEFAULT_BUS } from './buses.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { PutEventsEntry, PutEventsResultEntry } from './envelope.js';
import { EventLog } from './event-log.js';
import { BusEvents } from './events.js';
import { FunctionTargets } from './functions.js';
import type { FunctionTarget } from './invoke.js';
import type { BusLimits } from './limits.js';
import { RuleTargets } from './rule-targets.js';
import { Rules } from './rules.js';
import { BusState } from './state.js';
import { ApiDestinations, Connections } from './connections.js';
import { HttpInvoker } from './http-invoke.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { PermissionGrant } from './policy.js';
import { ResourceTags } from './tags.js';
import { Archives } from './archives.js';
import { Replays } from './replays.js';
import type { ArnScope } from './targets.js';
import type {
  CreateEventBusOptions,
  EventBusDescription,
  NamedEventTrace,
  OnBus,
  PageOptions,
  PutRuleOptions,
  RuleDescription,
  TargetFailure,
  TargetInput,
  UpdateEventBusOptions,
} from './types.js';
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

/**
 * `ballast.bus`: EventBridge semantics over the store. Publishers' `putEvents` commits and
 * returns; matching and delivery run in the background from the stored log. This class composes
 * one object per concept (buses, event log, rules, targets, functions) and runs the background parts.
 */
export class EventBuses {
  /** Typed events of dispatch and delivery. */
  readonly events = new BusEvents();
  readonly #buses: Buses;
  readonly #log: EventLog;
  readonly #rules: Rules;
  readonly #tags: ResourceTags;
  readonly #targets: RuleTargets;
  readonly #functions: FunctionTargets;
  readonly #dispatcher: Dispatcher;
  readonly #worker: DeliveryWorker;
  /** Archives of buses (events kept for replays). */
  readonly archives: Archives;
  /** Replays of archived events. */
  readonly replays: Replays;
  readonly #scheduler: Scheduler;
  /** Connections: how API destinations authenticate. */
  readonly connections: Connections;
  /** API destinations: HTTP endpoints rules can target. */
  readonly apiDestinations: ApiDestinations;

  readonly #totals = { dispatched: 0, matched: 0, parked: 0, queueDelivered: 0 };

  /** @internal created by `openBallast`. */
  constructor(store: Store, queues: Queues, options: EventBusesOptions) {
    // Counted from the start, so a metrics registry made later (a server started after the
    // backlog began to drain) still sees every event dispatched by this process.
    this.events.on('dispatch:done', (e) => {
      this.#totals.dispatched += e.events - e.parked;
      this.#totals.matched += e.matched;
      this.#totals.queueDelivered += e.queueDelivered;
    });
    this.events.on('dispatch:parked', () => void this.#totals.parked++);
    this.#buses = new Buses({ store, options, events: this.events });
    const onBus = { store, options, events: this.events, buses: this.#buses };
    this.#log = new EventLog(onBus);
    this.#rules = new Rules(onBus);
    this.#tags = new ResourceTags(onBus, this.#rules);
    this.#targets = new RuleTargets({ ...onBus, rules: this.#rules });
    this.#functions = new FunctionTargets(options);
    const state = new BusState(store, options, options.limits);
    const deps = {
      store,
      state,
      queues,
      queueLimits: options.queueLimits,
      events: this.events,
      clock: options.clock,
    };
    this.#dispatcher = new Dispatcher(deps, options.dispatcher);
    this.connections = new Connections(store, options, options.limits);
    this.apiDestinations = new ApiDestinations(store, options, options.limits, this.connections);
    const http = new HttpInvoker(this.apiDestinations, this.connections, options.clock);
    this.#worker = new DeliveryWorker(deps, this.#functions.registered, options.worker, http);
    this.#scheduler = new Scheduler(store, options, options.clock, this.events, options.scheduler);
    const bus = (nameOrArn: string) => this.#buses.get(nameOrArn);
    this.archives = new Archives({
      store,
      scope: options,
      limits: options.limits,
      bus,
      busArn: (name) => this.busArn(name),
    });
    this.replays = new Replays({
      store,
      clock: options.clock,
      scope: options,
      limits: options.limits,
      archives: this.archives,
      bus,
      ruleId: (b, arn) => this.#rules.idOf(b, arn),
    });
  }

  /** Makes sure the `default` bus exists (every node may call it; it is idempotent). */
  ready(): Promise<void> {
    return this.#buses.ready();
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
    await Promise.all([
      this.#dispatcher.stop(),
      this.#worker.stop(),
      this.#scheduler.stop(),
      this.replays.close(),
    ]);
    markClosed(this);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Events this process dispatched, rule matches, events parked and deliveries to queue targets
   * done by dispatch, since it opened.
   */
  totals(): Readonly<{
    dispatched: number;
    matched: number;
    parked: number;
    queueDelivered: number;
  }> {
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
    return this.#functions.register(name, fn, options);
  }

  /** ARN of an in-process function target. */
  functionArn(name: string): string {
    return this.#functions.arn(name);
  }

  /** ARN of a bus. */
  busArn(name: string): string {
    return this.#buses.arn(name);
  }

  /** ARN of a rule. */
  ruleArn(name: string, eventBusName = DEFAULT_BUS): string {
    return this.#rules.arn(name, eventBusName);
  }

  // ---- buses -----------------------------------------------------------------------------

  /** Creates a bus (`ResourceAlreadyExistsException` when the name is taken). */
  createEventBus(
    name: string,
    options: CreateEventBusOptions = {},
  ): Promise<{ eventBusArn: string }> {
    return this.#buses.create(name, options);
  }

  /** Describes a bus (the default one when no name is given). */
  describeEventBus(name = DEFAULT_BUS): Promise<EventBusDescription> {
    return this.#buses.describe(name);
  }

  /** Lists buses by name prefix. */
  listEventBuses(
    options: { namePrefix?: string } & PageOptions = {},
  ): Promise<{ eventBuses: EventBusDescription[]; nextToken?: string }> {
    return this.#buses.list(options);
  }

  /** Deletes a bus with no rules left (the default bus cannot be deleted). Deleting a missing bus succeeds. */
  deleteEventBus(name: string): Promise<void> {
    return this.#buses.delete(name);
  }

  /**
   * Replaces a bus's description, dead-letter queue and KMS key id (UpdateEventBus: each omitted
   * field is cleared; tags and policy stay). The KMS key id is kept and shown, never used.
   */
  updateEventBus(
    name = DEFAULT_BUS,
    options: UpdateEventBusOptions = {},
  ): Promise<EventBusDescription> {
    return this.#buses.update(name, options);
  }

  /**
   * Grants another account (or `*`) `events:PutEvents` on a bus as a statement of its resource
   * policy (replacing the statement of the same id), or replaces the whole policy with
   * `{ policy }` (JSON text, at most 10 KB: `PolicyLengthExceededException`). Shown by
   * `describeEventBus` as `policy`; Ballast does not enforce it.
   */
  putPermission(grant: PermissionGrant | { policy: string }, options: OnBus = {}): Promise<void> {
    return this.#buses.putPermission(options.eventBusName ?? DEFAULT_BUS, grant);
  }

  /** Removes one statement of a bus's policy (`ResourceNotFoundException` when it has none of that id), or all of them. */
  removePermission(
    which: { statementId: string } | { all: true },
    options: OnBus = {},
  ): Promise<void> {
    return this.#buses.removePermission(options.eventBusName ?? DEFAULT_BUS, which);
  }

  // ---- tags ------------------------------------------------------------------------------

  /** Adds tags to a bus or rule by ARN (a key already there takes the new value; at most 50 per resource). */
  tagResource(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    return this.#tags.tag(arn, tags);
  }

  /** Removes tags of a bus or rule by key (absent keys are ignored). */
  untagResource(arn: string, keys: readonly string[]): Promise<void> {
    return this.#tags.untag(arn, keys);
  }

  /** The tags of a bus or rule by ARN (`ResourceNotFoundException` when it does not exist). */
  listTagsForResource(arn: string): Promise<Record<string, string>> {
    return this.#tags.list(arn);
  }

  // ---- events ----------------------------------------------------------------------------

  /**
   * Commits 1–10 events and returns at once (matching and delivery happen afterwards). Each
   * entry gets an event id or its own error, in request order; the others still count.
   */
  putEvents(
    entries: readonly PutEventsEntry[],
  ): Promise<{ failedEntryCount: number; entries: PutEventsResultEntry[] }> {
    return this.#log.put(entries);
  }

  /** Everything stored about one event: its envelope, the rules it matched, each delivery and its attempts, and its parked error if any. */
  trace(eventId: string): Promise<NamedEventTrace | undefined> {
    return this.#log.trace(eventId);
  }

  /**
   * Events the dispatcher parked because they could not be matched, shaped or written (the
   * dispatcher's dead letters), oldest first, each with its error; kept as long as traces are.
   * Page with `afterPosition` (the last position seen). @defaultValue limit 100, at most 1,000
   */
  parkedEvents(options: { afterPosition?: number; limit?: number } = {}): Promise<ParkedEvent[]> {
    return this.#log.parked(options);
  }

  /**
   * Puts parked events back in the inbox to be dispatched again (after the rule or target that
   * failed them was fixed): those with these event ids, or up to `limit` of all. Returns how many.
   * @defaultValue every parked event, 1,000 at a time
   */
  redispatchParked(
    options: { eventIds?: readonly string[]; limit?: number } = {},
  ): Promise<number> {
    return this.#log.redispatchParked(options);
  }

  // ---- rules -----------------------------------------------------------------------------

  /** Creates or replaces a rule (every omitted field is cleared, targets are kept). */
  putRule(name: string, options: PutRuleOptions = {}): Promise<{ ruleArn: string }> {
    return this.#rules.put(name, options);
  }

  /** Describes a rule (`ResourceNotFoundException` when absent). */
  describeRule(name: string, options: OnBus = {}): Promise<RuleDescription> {
    return this.#rules.describe(name, options);
  }

  /** Lists a bus's rules by name prefix. */
  listRules(
    options: OnBus & { namePrefix?: string } & PageOptions = {},
  ): Promise<{ rules: RuleDescription[]; nextToken?: string }> {
    return this.#rules.list(options);
  }

  /** Deletes a rule that has no targets; deleting a missing rule succeeds. */
  deleteRule(name: string, options: OnBus = {}): Promise<void> {
    return this.#rules.delete(name, options);
  }

  /** Enables a rule. */
  enableRule(name: string, options: OnBus = {}): Promise<void> {
    return this.#rules.setState(name, 'ENABLED', options);
  }

  /** Disables a rule: it matches nothing until enabled again. */
  disableRule(name: string, options: OnBus = {}): Promise<void> {
    return this.#rules.setState(name, 'DISABLED', options);
  }

  // ---- targets ---------------------------------------------------------------------------

  /** Adds or replaces targets of a rule (by id); invalid entries fail alone, up to 5 targets per rule. */
  putTargets(
    rule: string,
    targets: readonly TargetInput[],
    options: OnBus = {},
  ): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    return this.#targets.put(rule, targets, options);
  }

  /** Removes targets by id. */
  removeTargets(
    rule: string,
    ids: readonly string[],
    options: OnBus = {},
  ): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    return this.#targets.remove(rule, ids, options);
  }

  /** The targets of a rule. */
  listTargetsByRule(
    rule: string,
    options: OnBus & PageOptions = {},
  ): Promise<{ targets: TargetInput[]; nextToken?: string }> {
    return this.#targets.list(rule, options);
  }

  /** Names of the bus's rules with a target of this ARN. */
  listRuleNamesByTarget(
    targetArn: string,
    options: OnBus & PageOptions = {},
  ): Promise<{ ruleNames: string[]; nextToken?: string }> {
    return this.#targets.ruleNamesByTarget(targetArn, options);
  }
}
