import { BallastError } from '../core/errors.js';
import type { QueueLimits } from '../core/limits.js';
import type { QueueRecord, QueueStats } from '../store/contract.js';
import type { QueueSettings, RedriveAllowPolicy, RedrivePolicy } from './settings.js';

/** Every queue attribute name SQS defines. */
export const QUEUE_ATTRIBUTE_NAMES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'ContentBasedDeduplication',
  'CreatedTimestamp',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'LastModifiedTimestamp',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
] as const;

const SETTABLE = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'VisibilityTimeout',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
const FIFO_ONLY = new Set([
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

type IntegerSetting =
  | 'delaySeconds'
  | 'maximumMessageSize'
  | 'messageRetentionPeriod'
  | 'receiveMessageWaitTimeSeconds'
  | 'visibilityTimeout'
  | 'kmsDataKeyReusePeriodSeconds';

/** Whole-number attributes: the setting each one sets and its allowed range under the limits. */
const INTEGER_ATTRIBUTES: Readonly<
  Record<string, (l: QueueLimits) => [IntegerSetting, number, number]>
> = {
  DelaySeconds: (l) => ['delaySeconds', 0, l.maxDelaySeconds],
  MaximumMessageSize: (l) => ['maximumMessageSize', 1024, l.maxMessageBytes],
  MessageRetentionPeriod: (l) => [
    'messageRetentionPeriod',
    l.minRetentionPeriod,
    l.maxRetentionPeriod,
  ],
  ReceiveMessageWaitTimeSeconds: (l) => ['receiveMessageWaitTimeSeconds', 0, l.maxWaitTimeSeconds],
  VisibilityTimeout: (l) => ['visibilityTimeout', 0, l.maxVisibilityTimeout],
  KmsDataKeyReusePeriodSeconds: () => ['kmsDataKeyReusePeriodSeconds', 60, 86_400],
};

const invalidValue = (name: string, why: string): BallastError =>
  new BallastError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}. Reason: ${why}`,
  );

function integer(name: string, raw: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalidValue(name, `must be an integer between ${min} and ${max}.`);
  return n;
}

function bool(name: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (v !== 'true' && v !== 'false') throw invalidValue(name, 'must be true or false.');
  return v === 'true';
}

function json(name: string, raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // fall through to the typed error
  }
  throw invalidValue(name, 'must be a JSON object.');
}

/** Parses a `RedrivePolicy` JSON string (maxReceiveCount may be a number or a numeric string). */
export function parseRedrivePolicy(raw: string, limits: QueueLimits): RedrivePolicy | null {
  if (raw === '') return null;
  const v = json('RedrivePolicy', raw);
  const arn = v.deadLetterTargetArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:'))
    throw invalidValue('RedrivePolicy', 'deadLetterTargetArn must be a queue ARN.');
  const count = integer(
    'RedrivePolicy',
    String(v.maxReceiveCount ?? ''),
    1,
    limits.maxReceiveCount,
  );
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/** Parses a `RedriveAllowPolicy` JSON string. */
export function parseRedriveAllowPolicy(raw: string): RedriveAllowPolicy | null {
  if (raw === '') return null;
  const v = json('RedriveAllowPolicy', raw);
  const permission = v.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw invalidValue(
      'RedriveAllowPolicy',
      'redrivePermission must be allowAll, denyAll or byQueue.',
    );
  }
  const arns = v.sourceQueueArns;
  if (permission === 'byQueue') {
    if (
      !Array.isArray(arns) ||
      arns.length < 1 ||
      arns.length > 10 ||
      !arns.every((a) => typeof a === 'string')
    ) {
      throw invalidValue('RedriveAllowPolicy', 'byQueue needs 1 to 10 sourceQueueArns.');
    }
    return { redrivePermission: permission, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined)
    throw invalidValue('RedriveAllowPolicy', `sourceQueueArns is allowed only with byQueue.`);
  return { redrivePermission: permission };
}

/**
 * Applies SQS attribute strings to `base`. `creating` allows `FifoQueue`; FIFO-only attributes
 * on a standard queue and unknown or read-only names are `InvalidAttributeName`.
 */
export function applyQueueAttributes(
  base: QueueSettings,
  attributes: Readonly<Record<string, unknown>>,
  limits: QueueLimits,
  creating: boolean,
): QueueSettings {
  const s: QueueSettings = { ...base };
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'FifoQueue' && creating) continue;
    if (!SETTABLE.has(name))
      throw new BallastError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    if (FIFO_ONLY.has(name) && !s.fifo)
      throw new BallastError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    if (typeof value !== 'string') throw invalidValue(name, 'attribute values are strings.');
    const int = INTEGER_ATTRIBUTES[name];
    if (int) {
      const [key, min, max] = int(limits);
      s[key] = integer(name, value, min, max);
      continue;
    }
    switch (name) {
      case 'KmsMasterKeyId':
        s.kmsMasterKeyId = value === '' ? null : value;
        break;
      case 'SqsManagedSseEnabled':
        s.sqsManagedSseEnabled = bool(name, value);
        break;
      case 'Policy':
        if (value !== '') json(name, value);
        s.policy = value === '' ? null : value;
        break;
      case 'RedrivePolicy':
        s.redrivePolicy = parseRedrivePolicy(value, limits);
        break;
      case 'RedriveAllowPolicy':
        s.redriveAllowPolicy = parseRedriveAllowPolicy(value);
        break;
      case 'ContentBasedDeduplication':
        s.contentBasedDeduplication = bool(name, value);
        break;
      case 'DeduplicationScope':
        if (value !== 'queue' && value !== 'messageGroup')
          throw invalidValue(name, 'must be queue or messageGroup.');
        s.deduplicationScope = value;
        break;
      case 'FifoThroughputLimit':
        if (value !== 'perQueue' && value !== 'perMessageGroupId')
          throw invalidValue(name, 'must be perQueue or perMessageGroupId.');
        s.fifoThroughputLimit = value;
        break;
    }
  }
  if (s.fifoThroughputLimit === 'perMessageGroupId' && s.deduplicationScope === 'queue') {
    throw invalidValue(
      'FifoThroughputLimit',
      'perMessageGroupId requires DeduplicationScope messageGroup.',
    );
  }
  return s;
}

/** Reads `FifoQueue` from create attributes (absent = false). */
export function fifoFromAttributes(attributes: Readonly<Record<string, unknown>>): boolean {
  const raw = attributes.FifoQueue;
  if (raw === undefined) return false;
  if (typeof raw !== 'string') throw invalidValue('FifoQueue', 'must be true or false.');
  return bool('FifoQueue', raw);
}

/** Renders the requested queue attributes as SQS strings (`All` for every one). */
export function renderQueueAttributes(
  queue: QueueRecord,
  arn: string,
  stats: QueueStats | null,
  requested: readonly string[],
): Record<string, string> {
  const names = requested.includes('All') ? [...QUEUE_ATTRIBUTE_NAMES] : requested;
  const s = queue.settings;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = renderOne(name, queue, s, arn, stats);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function renderOne(
  name: string,
  q: QueueRecord,
  s: QueueSettings,
  arn: string,
  stats: QueueStats | null,
): string | undefined {
  switch (name) {
    case 'ApproximateNumberOfMessages':
      return String(stats?.visible ?? 0);
    case 'ApproximateNumberOfMessagesDelayed':
      return String(stats?.delayed ?? 0);
    case 'ApproximateNumberOfMessagesNotVisible':
      return String(stats?.inFlight ?? 0);
    case 'CreatedTimestamp':
      return String(Math.floor(q.createdAt / 1000));
    case 'LastModifiedTimestamp':
      return String(Math.floor(q.modifiedAt / 1000));
    case 'DelaySeconds':
      return String(s.delaySeconds);
    case 'MaximumMessageSize':
      return String(s.maximumMessageSize);
    case 'MessageRetentionPeriod':
      return String(s.messageRetentionPeriod);
    case 'ReceiveMessageWaitTimeSeconds':
      return String(s.receiveMessageWaitTimeSeconds);
    case 'VisibilityTimeout':
      return String(s.visibilityTimeout);
    case 'QueueArn':
      return arn;
    case 'SqsManagedSseEnabled':
      return String(s.sqsManagedSseEnabled);
    case 'KmsMasterKeyId':
      return s.kmsMasterKeyId ?? undefined;
    case 'KmsDataKeyReusePeriodSeconds':
      return s.kmsMasterKeyId ? String(s.kmsDataKeyReusePeriodSeconds) : undefined;
    case 'Policy':
      return s.policy ?? undefined;
    case 'RedrivePolicy':
      return s.redrivePolicy ? JSON.stringify(s.redrivePolicy) : undefined;
    case 'RedriveAllowPolicy':
      return s.redriveAllowPolicy ? JSON.stringify(s.redriveAllowPolicy) : undefined;
    case 'FifoQueue':
      return s.fifo ? 'true' : undefined;
    case 'ContentBasedDeduplication':
      return s.fifo ? String(s.contentBasedDeduplication) : undefined;
    case 'DeduplicationScope':
      return s.fifo ? s.deduplicationScope : undefined;
    case 'FifoThroughputLimit':
      return s.fifo ? s.fifoThroughputLimit : undefined;
    default:
      throw new BallastError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
}

/** True when two settings are the same (CreateQueue idempotency). */
export function sameSettings(a: QueueSettings, b: QueueSettings): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: QueueSettings): unknown[] {
  return Object.keys(s)
    .sort()
    .map((k) => [k, s[k as keyof QueueSettings]]);
}
