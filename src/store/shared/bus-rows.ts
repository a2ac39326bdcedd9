/**
 * Rows of the bus tables as both drivers read them, and their mappers to contract records.
 * JSON columns arrive as text from SQLite and already parsed from PostgreSQL (jsonb): `json()`
 * accepts both.
 */
import type {
  ArchiveRecord,
  BusRecord,
  BusResource,
  BusResourceKind,
  DeliveryAttempt,
  DeliveryRecord,
  DeliveryState,
  DispatchError,
  ParkedEvent,
  RuleRecord,
  StoredBusEvent,
  TargetRecord,
} from '../bus-contract.js';

/** A JSON column: text (SQLite) or parsed (PostgreSQL jsonb). */
export type Json<T> = T | string;

/** Parses a JSON column when it is still text. */
export const json = <T>(v: Json<T>): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** A `buses` row. */
export interface BusRow {
  id: number;
  name: string;
  description: string | null;
  dead_letter_arn: string | null;
  tags: Json<Record<string, string>>;
  policy: string | null;
  kms_key_identifier: string | null;
  created_at: number;
  modified_at: number;
}

/** Maps a `buses` row. */
export const toBus = (r: BusRow): BusRecord => ({
  id: r.id,
  name: r.name,
  description: r.description,
  deadLetterArn: r.dead_letter_arn,
  tags: json(r.tags),
  policy: r.policy,
  kmsKeyIdentifier: r.kms_key_identifier,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
});

/** A `rules` row (targets attached by the driver). */
export interface RuleRow {
  id: number;
  bus_id: number;
  name: string;
  event_pattern: string | null;
  schedule_expression: string | null;
  next_fire_at: number | null;
  state: 'ENABLED' | 'DISABLED';
  description: string | null;
  role_arn: string | null;
  tags: Json<Record<string, string>>;
  created_at: number;
  modified_at: number;
}

/** Maps a `rules` row with its targets. */
export const toRule = (r: RuleRow, targets: readonly TargetRecord[]): RuleRecord => ({
  id: r.id,
  busId: r.bus_id,
  name: r.name,
  eventPattern: r.event_pattern,
  scheduleExpression: r.schedule_expression,
  nextFireAt: r.next_fire_at,
  state: r.state,
  description: r.description,
  roleArn: r.role_arn,
  tags: json(r.tags),
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
  targets,
});

/** An `events` row. */
export interface EventRow {
  position: number;
  bus_id: number;
  event_id: string;
  body: string;
  event_time: number;
  replay_name: string | null;
  only_rule_ids: Json<number[]> | null;
  ingested_at: number;
  dispatch_error?: Json<DispatchError> | null;
}

/** Maps an `events` row. */
export const toEvent = (r: EventRow): StoredBusEvent => ({
  position: r.position,
  busId: r.bus_id,
  eventId: r.event_id,
  body: r.body,
  eventTime: r.event_time,
  replayName: r.replay_name,
  onlyRuleIds: r.only_rule_ids === null ? null : json(r.only_rule_ids),
  ingestedAt: r.ingested_at,
});

/** The parked error of an `events` row, or null. */
export const dispatchErrorOf = (r: EventRow): DispatchError | null =>
  r.dispatch_error == null ? null : json(r.dispatch_error);

/** Maps a parked `events` row. */
export const toParked = (r: EventRow): ParkedEvent => ({
  position: r.position,
  eventId: r.event_id,
  busId: r.bus_id,
  ingestedAt: r.ingested_at,
  error: dispatchErrorOf(r)!,
});

/** A `deliveries` row. */
export interface DeliveryRow {
  id: number;
  event_position: number;
  rule_id: number;
  target_id: string;
  route: string | null;
  payload: string;
  state: DeliveryState;
  attempts: number;
  due_at: number;
  lease: string | null;
  history: Json<DeliveryAttempt[]>;
  created_at: number;
}

/** Maps a `deliveries` row. */
export const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  eventPosition: r.event_position,
  ruleId: r.rule_id,
  targetId: r.target_id,
  route: r.route,
  payload: r.payload,
  state: r.state,
  attempts: r.attempts,
  dueAt: r.due_at,
  createdAt: r.created_at,
  history: json(r.history),
});

/** Most attempts a delivery's history keeps (the newest; `attempts` still counts all). */
export const MAX_HISTORY = 20;

/** An `archives` row. */
export interface ArchiveRow {
  id: number;
  name: string;
  bus_id: number;
  event_pattern: string | null;
  description: string | null;
  retention_days: number;
  state: 'ENABLED' | 'DISABLED';
  created_at: number;
}

/** Maps an `archives` row. */
export const toArchive = (r: ArchiveRow): ArchiveRecord => ({
  id: r.id,
  name: r.name,
  busId: r.bus_id,
  eventPattern: r.event_pattern,
  description: r.description,
  retentionDays: r.retention_days,
  state: r.state,
  createdAt: r.created_at,
});

/** Milliseconds in a day (archive retention is in days). */
export const DAY_MS = 86_400_000;

/** A `bus_resources` row. */
export interface ResourceRow {
  kind: BusResourceKind;
  name: string;
  record: Json<Record<string, unknown>>;
  created_at: number;
  modified_at: number;
}

/** Maps a `bus_resources` row. */
export const toResource = (r: ResourceRow): BusResource => ({
  kind: r.kind,
  name: r.name,
  record: json(r.record),
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
});
