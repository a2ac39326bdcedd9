/**
 * The event-bus half of the storage contract (see contract.ts for the queue half).
 *
 * Glossary:
 * - event: an EventBridge-shaped JSON envelope, stored once in an append-only log (`position`
 *   is the store's increasing id; never read "after the last position seen", see DESIGN.md).
 * - inbox: the events not yet dispatched. Dispatch claims inbox rows (SKIP LOCKED on
 *   PostgreSQL), matches them, and in the SAME transaction writes the resulting deliveries and
 *   the messages of queue targets, then removes the rows from the inbox.
 * - delivery: one event to one target of one rule, with its attempts. Queue targets are
 *   delivered inside the dispatch transaction; other targets (HTTP, in-process functions) are
 *   `pending` until a worker claims and settles them.
 * - route: what a delivery is sent through (a function name, an API destination): the unit of
 *   isolation, so one dead target never holds up the others.
 */
import type { NewMessage, SendOptions } from './contract.js';

/** A stored event bus. */
export interface BusRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  /** ARN of the bus-level dead-letter queue, if any. */
  readonly deadLetterArn: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /** The bus's resource policy (PutPermission), JSON text; stored, never enforced. */
  readonly policy: string | null;
  /** The KMS key id CreateEventBus / UpdateEventBus were given (kept, not used: events are not encrypted). */
  readonly kmsKeyIdentifier: string | null;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** Fields of a bus the domain sets. */
export interface BusFields {
  readonly description: string | null;
  readonly deadLetterArn: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /** JSON text of the resource policy. @defaultValue null (none) */
  readonly policy?: string | null;
  /** @defaultValue null */
  readonly kmsKeyIdentifier?: string | null;
}

/**
 * Computes a bus's new fields from the stored bus, inside the store's transaction: synchronous
 * and pure (a driver may run it again when it retries the transaction). Throwing changes nothing
 * and rejects the call with that error.
 */
export type BusEdit = (bus: BusRecord) => BusFields;

/** Computes a rule's new tags from its stored ones, like `BusEdit` (synchronous, pure; throwing changes nothing). */
export type TagsEdit = (tags: Readonly<Record<string, string>>) => Readonly<Record<string, string>>;

/** A target as stored: the domain owns `config` (input shaping, retry policy, DLQ…). */
export interface TargetRecord {
  /** Target id, unique within its rule. */
  readonly id: string;
  readonly arn: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Fields of a rule PutRule replaces. */
export interface RuleFields {
  /** Pattern JSON text (validated by the domain), or null for a schedule-only rule. */
  readonly eventPattern: string | null;
  readonly scheduleExpression: string | null;
  /** Epoch ms a scheduled rule fires next (null: no schedule). */
  readonly nextFireAt: number | null;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description: string | null;
  readonly roleArn: string | null;
  /** Tags given when the rule is created; a replacing PutRule keeps the stored ones (EventBridge ignores them then). @defaultValue none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A stored rule with its targets. */
export interface RuleRecord extends RuleFields {
  readonly tags: Readonly<Record<string, string>>;
  readonly id: number;
  readonly busId: number;
  readonly name: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly targets: readonly TargetRecord[];
}

/** A scheduled rule whose time has come. */
export interface DueSchedule {
  readonly ruleId: number;
  readonly busId: number;
  readonly name: string;
  readonly scheduleExpression: string;
  /** The firing time it is due for, epoch ms. */
  readonly dueAt: number;
}

/** One event to append. */
export interface NewBusEvent {
  readonly busId: number;
  readonly eventId: string;
  /** The full envelope, JSON text. */
  readonly body: string;
  /** The envelope's `time`, epoch ms. */
  readonly eventTime: number;
  /** Set on replayed events (they carry `replay-name` and are never archived again). */
  readonly replayName: string | null;
  /** Only these rules may match (a replay's FilterArns); null = every rule of the bus. */
  readonly onlyRuleIds: readonly number[] | null;
}

/** A stored event, as dispatch and traces see it. */
export interface StoredBusEvent extends NewBusEvent {
  readonly position: number;
  /** Epoch ms the event was committed. */
  readonly ingestedAt: number;
}

/** A delivery the dispatch creates. */
export interface NewDelivery {
  readonly eventPosition: number;
  readonly ruleId: number;
  readonly targetId: string;
  /** Isolation unit for workers (a function name, a destination); null for queue targets. */
  readonly route: string | null;
  /** What will be sent: the event, or the target's shaped input. */
  readonly payload: string;
  /** `delivered` for queue targets (their message is written in the same transaction). */
  readonly state: 'pending' | 'delivered';
}

/** Messages a dispatch writes to a queue, committed with its delivery records. */
export interface QueueSend {
  readonly queueId: number;
  readonly messages: readonly NewMessage[];
  readonly options?: SendOptions;
}

/** Why the dispatcher could not match or shape an event (stored with the parked event). */
export interface DispatchError {
  /** Stable error code, e.g. `ValidationException` for an event nested too deep. */
  readonly code: string;
  readonly message: string;
  /** Epoch ms the event was parked. */
  readonly at: number;
}

/** An event parked by a dispatch, with its error. */
export interface ParkedWrite {
  readonly position: number;
  readonly error: DispatchError;
}

/** What a dispatch of some events writes. */
export interface DispatchPlan {
  /**
   * Positions of the claimed events this plan covers (dispatched or parked), a prefix of them in
   * claim order: only these leave the inbox; the rest stay for the next dispatch (a plan stops
   * early when its work passes the batch budget).
   */
  readonly handled: readonly number[];
  readonly deliveries: readonly NewDelivery[];
  readonly sends: readonly QueueSend[];
  /** Events copied into archives. */
  readonly archived: readonly { readonly archiveId: number; readonly position: number }[];
  /** Events that could not be matched or shaped: they leave the inbox with their error. */
  readonly parked: readonly ParkedWrite[];
}

/** How much one dispatch claims: at most `maxEvents`, and events only while their bodies stay within `maxBytes` (the first is always taken). */
export interface DispatchBatch {
  /** Most events claimed. */
  readonly maxEvents: number;
  /** Most bytes of event JSON claimed (UTF-8); one larger event is claimed alone. */
  readonly maxBytes: number;
}

/**
 * Plans a dispatch inside its transaction: the claimed events, the store's time, the rules
 * version read after the claim, and whether the claim stopped at the byte budget before events
 * that are still waiting (so the caller should dispatch again at once).
 */
export type DispatchPlanner = (
  events: readonly StoredBusEvent[],
  now: number,
  rulesVersion: number,
  cutByBytes: boolean,
) => DispatchPlan;

/** A parked event, as `listParked` shows it. */
export interface ParkedEvent {
  readonly position: number;
  readonly eventId: string;
  readonly busId: number;
  /** Epoch ms the event was committed. */
  readonly ingestedAt: number;
  readonly error: DispatchError;
}

/** The state of one delivery. */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dead-lettered';

/** One attempt of a delivery, kept for the event's trace. */
export interface DeliveryAttempt {
  /** Epoch ms the attempt ended. */
  readonly at: number;
  readonly ok: boolean;
  /** Error code (e.g. `HTTP_503`, `TIMEOUT`, `NO_RESOURCE`) when it failed. */
  readonly error: string | null;
  readonly message: string | null;
}

/** A stored delivery. */
export interface DeliveryRecord {
  readonly id: number;
  readonly eventPosition: number;
  readonly ruleId: number;
  readonly targetId: string;
  readonly route: string | null;
  readonly payload: string;
  readonly state: DeliveryState;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Epoch ms of the next attempt (pending), or of the lease's end while claimed. */
  readonly dueAt: number;
  readonly createdAt: number;
  readonly history: readonly DeliveryAttempt[];
}

/** A claimed delivery: `lease` must be shown to settle it. */
export interface ClaimedDelivery extends DeliveryRecord {
  readonly lease: string;
  /** The event it carries. */
  readonly event: StoredBusEvent;
}

/** How a claimed delivery ends (or does not yet). */
export type DeliverySettlement =
  | { readonly state: 'delivered'; readonly attempt: DeliveryAttempt }
  | { readonly state: 'pending'; readonly attempt: DeliveryAttempt; readonly retryAt: number }
  | {
      readonly state: 'failed' | 'dead-lettered';
      readonly attempt: DeliveryAttempt;
      readonly deadLetter?: QueueSend;
    };

/** Which pending deliveries a worker may claim. */
export interface DeliveryFilter {
  /** These routes (e.g. the functions registered in this process)… */
  readonly routes: readonly string[];
  /** …and every route starting with one of these (e.g. `http:` for all HTTP targets). */
  readonly routePrefixes: readonly string[];
  /** Never these (routes at their concurrency limit here). */
  readonly excludeRoutes: readonly string[];
}

/** An archive as stored. */
export interface ArchiveRecord {
  readonly id: number;
  readonly name: string;
  readonly busId: number;
  readonly eventPattern: string | null;
  readonly description: string | null;
  /** 0 = forever. */
  readonly retentionDays: number;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly createdAt: number;
}

/** Fields of an archive the domain sets. */
export interface ArchiveFields {
  readonly eventPattern: string | null;
  readonly description: string | null;
  readonly retentionDays: number;
}

/** One archived event, as a replay reads it. */
export interface ArchivedEvent {
  /** Epoch ms (the envelope's `time`). */
  readonly eventTime: number;
  readonly position: number;
  readonly busId: number;
  readonly body: string;
}

/** Where a replay's reading stopped: the last archived event it read. */
export interface ArchiveCursor {
  readonly eventTime: number;
  readonly position: number;
}

/** States of a replay (EventBridge's). */
export type ReplayState =
  'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** A replay as stored: what to replay, where, and how far it got. */
export interface ReplayRecord {
  readonly name: string;
  readonly description: string | null;
  readonly archiveId: number;
  readonly archiveArn: string;
  /** The bus the events go back to (the archive's source bus). */
  readonly busId: number;
  readonly destinationArn: string;
  /** Only these rules receive the replayed events; null = every rule of the bus. */
  readonly filterRuleIds: readonly number[] | null;
  readonly filterArns: readonly string[] | null;
  /** Window of event time, epoch ms: `from <= time < to`. */
  readonly eventStartTime: number;
  readonly eventEndTime: number;
  readonly state: ReplayState;
  readonly stateReason: string | null;
  /** Last archived event replayed (resume point). */
  readonly cursor: ArchiveCursor | null;
  /** Event time of the last replayed event, epoch ms. */
  readonly eventLastReplayedTime: number | null;
  readonly replayed: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** Epoch ms of the last change; a runner that stops updating this is presumed dead. */
  readonly updatedAt: number;
}

/** Fields a replay update may change. */
export type ReplayPatch = Partial<
  Pick<
    ReplayRecord,
    'state' | 'stateReason' | 'cursor' | 'eventLastReplayedTime' | 'replayed' | 'endedAt'
  >
> & {
  readonly updatedAt: number;
};

/** When a replay update applies. */
export interface ReplayCondition {
  readonly stateIn: readonly ReplayState[];
  /** Only when the stored `updatedAt` equals this (the runner's own last write), or… */
  readonly updatedAt?: number;
  /** …only when it is older than this (adopting a dead runner's replay). */
  readonly updatedBefore?: number;
}

/** Kinds of named bus resources kept as JSON records. */
export type BusResourceKind = 'connection' | 'api-destination';

/** A named resource record (connections, API destinations); the domain owns `record`. */
export interface BusResource {
  readonly kind: BusResourceKind;
  readonly name: string;
  readonly record: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** Everything stored about one event: what matched and what happened to each delivery. */
export interface EventTrace {
  readonly event: StoredBusEvent;
  /** False while the event waits in the inbox. */
  readonly dispatched: boolean;
  /** Set when the dispatcher parked the event instead of matching it (see `BusStore.listParked`). */
  readonly dispatchError: DispatchError | null;
  readonly deliveries: readonly DeliveryRecord[];
}

/** Wake-up keys of the bus (queue ids are positive; these never collide with one). */
export const BUS_WAKE = { inbox: -1, deliveries: -2 } as const;

/** Storage for buses, rules, targets, the event log and deliveries. Every method is atomic. */
export interface BusStore {
  /** Creates a bus, or returns the existing one of this name (`created` false). */
  createBus(name: string, fields: BusFields): Promise<{ created: boolean; bus: BusRecord }>;
  getBus(name: string): Promise<BusRecord | undefined>;
  listBuses(prefix: string, afterName: string | null, limit: number): Promise<BusRecord[]>;
  /** Replaces the fields; undefined when the bus is gone. */
  updateBus(busId: number, fields: BusFields): Promise<BusRecord | undefined>;
  /** Rewrites a bus's fields from its stored record in one transaction (see `BusEdit`); undefined when the bus is gone. */
  editBus(busId: number, edit: BusEdit): Promise<BusRecord | undefined>;
  /** Deletes a bus that has no rules left (`hasRules` otherwise); false when absent. */
  deleteBus(busId: number): Promise<'deleted' | 'absent' | 'hasRules'>;

  /** Creates or replaces a rule (PutRule); targets are kept. */
  putRule(busId: number, name: string, fields: RuleFields): Promise<RuleRecord>;
  getRule(busId: number, name: string): Promise<RuleRecord | undefined>;
  listRules(
    busId: number,
    prefix: string,
    afterName: string | null,
    limit: number,
  ): Promise<RuleRecord[]>;
  /** Rewrites a rule's tags from its stored ones in one transaction (see `TagsEdit`); undefined when the rule is gone. */
  editRuleTags(ruleId: number, edit: TagsEdit): Promise<RuleRecord | undefined>;
  /** Deletes a rule with no targets (`hasTargets` otherwise). */
  deleteRule(busId: number, name: string): Promise<'deleted' | 'absent' | 'hasTargets'>;
  /** Upserts targets by id; fails with `limit` when the rule would pass `maxTargets`. */
  putTargets(
    ruleId: number,
    targets: readonly TargetRecord[],
    maxTargets: number,
  ): Promise<'ok' | 'absent' | 'limit'>;
  /** Removes targets by id; returns the ids that existed. */
  removeTargets(ruleId: number, ids: readonly string[]): Promise<string[]>;
  /** Every rule of every bus, with targets (to build the matchers). */
  loadRules(): Promise<RuleRecord[]>;
  /** Enabled scheduled rules due at `now`, oldest first. */
  dueSchedules(now: number, limit: number): Promise<DueSchedule[]>;
  /** Epoch ms of the next firing of any enabled scheduled rule, or null. */
  nextScheduleAt(): Promise<number | null>;
  /**
   * Fires a schedule once: moves the rule's next firing from `dueAt` to `nextAt` and appends
   * `event` in one transaction, only if no other node did it first (returns false then).
   */
  fireSchedule(
    ruleId: number,
    dueAt: number,
    nextAt: number | null,
    event: NewBusEvent,
  ): Promise<boolean>;
  /** Changes whenever any rule, target or archive changes (cheap; checked before each dispatch). */
  rulesVersion(): Promise<number>;

  /** Appends events and queues them for dispatch; durable when it resolves. Returns positions. */
  putEvents(events: readonly NewBusEvent[]): Promise<number[]>;
  /**
   * Claims undispatched events within `batch` (in inbox order), calls `plan` (synchronously,
   * inside the transaction, with the rules version read after the claim: every rule change
   * committed before a claimed event is counted in it) and writes its deliveries, queue messages,
   * archive copies and parked errors with the removal of the handled events from the inbox, all
   * or nothing. Returns how many events were handled.
   */
  dispatch(batch: DispatchBatch, plan: DispatchPlanner): Promise<number>;
  /** Parks inbox events with their errors, outside a dispatch (an event whose writes fail alone); returns how many were still in the inbox. */
  parkEvents(parked: readonly ParkedWrite[]): Promise<number>;
  /** Parked events after `afterPosition` (0 = from the first), oldest first. */
  listParked(afterPosition: number, limit: number): Promise<ParkedEvent[]>;
  /** Puts parked events back in the inbox with their error cleared: these positions, or up to `limit` of all when null; returns how many. */
  redispatchParked(positions: readonly number[] | null, limit: number): Promise<number>;

  /** Claims up to `limit` due pending deliveries for `leaseMs`. */
  claimDeliveries(
    filter: DeliveryFilter,
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]>;
  /** Settles a claimed delivery; false when the lease was lost (nothing changed). */
  settleDelivery(id: number, lease: string, settlement: DeliverySettlement): Promise<boolean>;
  /** Epoch ms of the next pending delivery on these routes, or null. */
  nextDeliveryAt(filter: DeliveryFilter): Promise<number | null>;

  /** The event with this id and its deliveries, if still retained. */
  traceEvent(eventId: string): Promise<EventTrace | undefined>;
  /** Removes dispatched events ingested before `before` (and their settled deliveries); returns how many. */
  removeEventsBefore(before: number, limit: number): Promise<number>;

  /** Creates an archive on a bus, or reports the existing one of this name (`created` false). */
  createArchive(
    name: string,
    busId: number,
    fields: ArchiveFields,
  ): Promise<{ created: boolean; archive: ArchiveRecord }>;
  getArchive(name: string): Promise<ArchiveRecord | undefined>;
  /** Archives by name after `afterName`; of one bus when `busId` is given. */
  listArchives(
    prefix: string,
    busId: number | null,
    afterName: string | null,
    limit: number,
  ): Promise<ArchiveRecord[]>;
  updateArchive(archiveId: number, fields: ArchiveFields): Promise<ArchiveRecord | undefined>;
  /** Deletes the archive and its events; false when absent. */
  deleteArchive(archiveId: number): Promise<boolean>;
  /** Events of an archive with `from <= eventTime < to`, in (eventTime, position) order, after `cursor`. */
  readArchive(
    archiveId: number,
    from: number,
    to: number,
    cursor: ArchiveCursor | null,
    limit: number,
  ): Promise<ArchivedEvent[]>;
  /** How many events an archive holds, and their body bytes. */
  archiveSize(archiveId: number): Promise<{ events: number; bytes: number }>;
  /** Removes archived events past their archive's retention; returns how many. */
  removeExpiredArchived(now: number, limit: number): Promise<number>;

  /**
   * Creates (`create`: false when the name is taken) or replaces (`replace`: false when absent)
   * a named resource; every change moves the rules version.
   */
  putResource(
    kind: BusResourceKind,
    name: string,
    record: Readonly<Record<string, unknown>>,
    mode: 'create' | 'replace',
  ): Promise<boolean>;
  getResource(kind: BusResourceKind, name: string): Promise<BusResource | undefined>;
  listResources(
    kind: BusResourceKind,
    prefix: string,
    afterName: string | null,
    limit: number,
  ): Promise<BusResource[]>;
  /** Deletes a resource; false when absent. */
  deleteResource(kind: BusResourceKind, name: string): Promise<boolean>;

  /** Stores a new replay; false when one of this name exists. */
  createReplay(replay: ReplayRecord): Promise<boolean>;
  getReplay(name: string): Promise<ReplayRecord | undefined>;
  /** Replays by name after `afterName`, optionally of one state or one archive. */
  listReplays(
    prefix: string,
    state: ReplayState | null,
    archiveArn: string | null,
    afterName: string | null,
    limit: number,
  ): Promise<ReplayRecord[]>;
  /**
   * Patches a replay when it matches `when`, and in the same transaction appends `events` (the
   * batch it replayed) to the log and the inbox: progress and events commit together or not at
   * all. Returns the new record, or undefined when the condition failed (nothing written).
   */
  updateReplay(
    name: string,
    patch: ReplayPatch,
    when: ReplayCondition,
    events?: readonly NewBusEvent[],
  ): Promise<ReplayRecord | undefined>;

  /** Registers a wake-up (`BUS_WAKE.inbox` after putEvents, `BUS_WAKE.deliveries` after new pending deliveries). */
  onWake(key: number, listener: () => void): () => void;
}

/** The `BusStore` methods a driver binds from its operation modules (all but `onWake`). */
export const BUS_OPERATIONS = [
  'createBus',
  'getBus',
  'listBuses',
  'updateBus',
  'editBus',
  'deleteBus',
  'putRule',
  'getRule',
  'listRules',
  'editRuleTags',
  'deleteRule',
  'putTargets',
  'removeTargets',
  'loadRules',
  'dueSchedules',
  'nextScheduleAt',
  'fireSchedule',
  'rulesVersion',
  'putEvents',
  'dispatch',
  'parkEvents',
  'listParked',
  'redispatchParked',
  'claimDeliveries',
  'settleDelivery',
  'nextDeliveryAt',
  'traceEvent',
  'removeEventsBefore',
  'createArchive',
  'getArchive',
  'listArchives',
  'updateArchive',
  'deleteArchive',
  'readArchive',
  'archiveSize',
  'removeExpiredArchived',
  'putResource',
  'getResource',
  'listResources',
  'deleteResource',
  'createReplay',
  'getReplay',
  'listReplays',
  'updateReplay',
] as const satisfies readonly (keyof BusStore)[];
