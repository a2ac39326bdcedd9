import { randomUUID } from 'node:crypto';
import { jsonDepth } from '../core/json-depth.js';
import type { BusLimits } from './limits.js';

/** One entry of `putEvents` (EventBridge's PutEventsRequestEntry, camelCase). */
export interface PutEventsEntry {
  /** Who sent it; custom sources may not start with `aws.`. Required. */
  source?: string;
  /** Free-text kind of event. Required. */
  detailType?: string;
  /** The event's body: JSON text of an object (as on the wire), or a plain object. Required. */
  detail?: string | Record<string, unknown>;
  /** ARNs the event concerns. @defaultValue [] */
  resources?: string[];
  /** Event time: a Date or epoch ms. @defaultValue the time of the call */
  time?: Date | number;
  /** Bus name or ARN. @defaultValue 'default' */
  eventBusName?: string;
  /** X-Ray trace header (1–500 characters), kept with the event. */
  traceHeader?: string;
}

/** Per-entry result of `putEvents`: an event id, or why this entry failed (the others still count). */
export type PutEventsResultEntry =
  { eventId: string } | { errorCode: string; errorMessage: string };

/** An entry turned into a stored envelope. */
export interface BuiltEvent {
  readonly eventId: string;
  /** The envelope as JSON text; `detail` keeps the publisher's exact text (e.g. `300.0`). */
  readonly body: string;
  /** Epoch ms. */
  readonly eventTime: number;
}

/** A failed entry: EventBridge's per-entry error code and message. */
export class EntryError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where envelopes say they come from. */
export interface EnvelopeContext {
  readonly region: string;
  readonly accountId: string;
  /** Epoch ms now (used when the entry has no time). */
  readonly now: number;
  readonly limits: BusLimits;
}

/** True when an entry has the three fields EventBridge requires. */
export const isComplete = (e: PutEventsEntry): boolean =>
  e.source !== undefined && e.detailType !== undefined && e.detail !== undefined;

/** Validates an entry and builds its envelope; throws `EntryError` for this entry only. */
export function buildEvent(
  entry: PutEventsEntry,
  ctx: EnvelopeContext,
  replayName: string | null = null,
): BuiltEvent {
  const { limits } = ctx;
  for (const field of ['source', 'detailType', 'detail'] as const) {
    if (entry[field] === undefined || entry[field] === null) {
      throw new EntryError(
        'InvalidArgument',
        `Parameter ${capital(field)} is not valid. Reason: ${capital(field)} is a required argument.`,
      );
    }
  }
  const source = text(entry.source, 'Source', limits.maxDetailTypeLength);
  const detailType = text(entry.detailType, 'DetailType', limits.maxDetailTypeLength);
  if (source.startsWith('aws.')) {
    throw new EntryError(
      'NotAuthorizedForSourceException',
      `Not authorized for the source ${source}.`,
    );
  }
  const detail = detailText(entry.detail, limits.maxEventDepth);
  const resources = entry.resources ?? [];
  if (!Array.isArray(resources))
    throw new EntryError(
      'InvalidArgument',
      'Parameter Resources is not valid. Reason: Resources must be a list of strings.',
    );
  for (const r of resources) {
    if (typeof r !== 'string' || r.length > limits.maxResourceLength) {
      throw new EntryError(
        'InvalidArgument',
        `Parameter Resources is not valid. Reason: each resource must be a string of at most ${limits.maxResourceLength} characters.`,
      );
    }
  }
  const eventTime =
    entry.time === undefined
      ? ctx.now
      : entry.time instanceof Date
        ? entry.time.getTime()
        : entry.time;
  if (!Number.isFinite(eventTime))
    throw new EntryError(
      'InvalidArgument',
      'Parameter Time is not valid. Reason: Time must be a date.',
    );
  // EventBridge's entry size: 14 bytes for a Time, plus the UTF-8 bytes of the text fields.
  const size =
    (entry.time !== undefined ? 14 : 0) +
    Buffer.byteLength(source) +
    Buffer.byteLength(detailType) +
    Buffer.byteLength(detail) +
    resources.reduce((n, r) => n + Buffer.byteLength(r), 0);
  if (size > limits.maxEventBytes) {
    throw new EntryError(
      'InvalidArgument',
      `Event size ${size} bytes is over the limit of ${limits.maxEventBytes} bytes.`,
    );
  }
  if (
    entry.traceHeader !== undefined &&
    (typeof entry.traceHeader !== 'string' ||
      entry.traceHeader.length < 1 ||
      entry.traceHeader.length > 500)
  ) {
    throw new EntryError(
      'InvalidArgument',
      'Parameter TraceHeader is not valid. Reason: it must be 1 to 500 characters.',
    );
  }
  const eventId = randomUUID();
  const head: Record<string, unknown> = {
    version: '0',
    id: eventId,
    'detail-type': detailType,
    source,
    account: ctx.accountId,
    time: isoSeconds(eventTime),
    region: ctx.region,
    resources,
  };
  if (replayName !== null) head['replay-name'] = replayName;
  // Splice the publisher's detail text in as is: re-serialising it would change numbers like 300.0.
  const body = `${JSON.stringify(head).slice(0, -1)},"detail":${detail}}`;
  return { eventId, body, eventTime };
}

/**
 * An event as the bus would deliver it, for matching and explaining: the fields a publisher never
 * writes (`version`, `id`, `account`, `time`, `region`, `resources`, `detail`) are filled in when
 * absent; every field given is kept as given.
 */
export function completeEnvelope(
  event: Record<string, unknown>,
  ctx: Pick<EnvelopeContext, 'region' | 'accountId' | 'now'>,
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    account: ctx.accountId,
    time: isoSeconds(ctx.now),
    region: ctx.region,
    resources: [],
    detail: {},
    ...event,
  };
}

/** RFC 3339 to the second, as EventBridge writes `time`. */
export const isoSeconds = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new EntryError(
      'InvalidArgument',
      `Parameter ${name} is not valid. Reason: ${name} must be a string of 1 to ${max} characters.`,
    );
  }
  return value;
}

function detailText(detail: unknown, maxEventDepth: number): string {
  const isObject = typeof detail === 'object' && detail !== null && !Array.isArray(detail);
  if (!isObject && typeof detail !== 'string')
    throw new EntryError('MalformedDetail', 'Detail is malformed.');
  let parsed: unknown = detail;
  if (typeof detail === 'string') {
    try {
      parsed = JSON.parse(detail);
    } catch {
      throw new EntryError('MalformedDetail', 'Detail is malformed.');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EntryError('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
  }
  // The envelope is level 1 and detail level 2: what fits here is what the matcher follows.
  if (jsonDepth(parsed, maxEventDepth - 1) > maxEventDepth - 1) {
    throw new EntryError(
      'MalformedDetail',
      `Detail is malformed: the event nests deeper than ${maxEventDepth} levels (objects and arrays, the envelope being 1).`,
    );
  }
  return typeof detail === 'string' ? detail.trim() : JSON.stringify(detail);
}

const capital = (field: string): string => field[0]!.toUpperCase() + field.slice(1);
