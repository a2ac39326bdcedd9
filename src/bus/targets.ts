import { BallastError } from '../core/errors.js';
import type { TargetRecord } from '../store/bus-contract.js';
import type { BusLimits } from './limits.js';
import { targetId } from './names.js';
import { compileShaping, type InputShaping, type Shaper } from './transform.js';

/** How long and how often a failing delivery is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt, 0–185. @defaultValue 185 */
  maximumRetryAttempts?: number;
  /** Oldest event still tried, seconds, 60–86,400. @defaultValue 86,400 */
  maximumEventAgeInSeconds?: number;
}

/** A target of a rule (EventBridge's Target, camelCase). */
export interface TargetInput extends InputShaping {
  /** 1–64 of `[.\-_A-Za-z0-9]`, unique within the rule. */
  id: string;
  /**
   * Where matched events go: a queue (`arn:aws:sqs:<region>:<account>:<queue>`), an API destination
   * (`arn:aws:events:<region>:<account>:api-destination/<name>`), or an in-process function registered
   * with `bus.registerFunction` (`arn:aws:lambda:<region>:<account>:function:<name>`).
   */
  arn: string;
  retryPolicy?: RetryPolicy;
  /** A standard queue that receives events this target could not take. */
  deadLetterConfig?: { arn: string };
  /** FIFO queue targets: the message group of every message. */
  sqsParameters?: { messageGroupId: string };
  /** API destination targets: path parameters (for `*` in the endpoint), headers and query string. */
  httpParameters?: {
    pathParameterValues?: string[];
    headerParameters?: Record<string, string>;
    queryStringParameters?: Record<string, string>;
  };
}

/** What a target ARN points at. */
export type TargetKind =
  | { readonly kind: 'queue'; readonly queue: string }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'http'; readonly destination: string };

/** A target ready for dispatch: its kind, compiled shaping and resolved policy. */
export interface CompiledTarget {
  readonly id: string;
  readonly arn: string;
  readonly kind: TargetKind;
  readonly shape: Shaper;
  readonly maxRetries: number;
  readonly maxAgeMs: number;
  readonly deadLetterArn: string | null;
  readonly messageGroupId: string | null;
  readonly http: NonNullable<TargetInput['httpParameters']> | null;
}

/** ARN naming of this Ballast (region and account of every ARN it hands out). */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** Reads what a target ARN points at; undefined when Ballast cannot deliver there. */
export function targetKind(arn: string, scope: ArnScope): TargetKind | undefined {
  const base = `:${scope.region}:${scope.accountId}:`;
  if (arn.startsWith(`arn:aws:sqs${base}`))
    return { kind: 'queue', queue: arn.slice(`arn:aws:sqs${base}`.length) };
  if (arn.startsWith(`arn:aws:lambda${base}function:`))
    return { kind: 'function', name: arn.slice(`arn:aws:lambda${base}function:`.length) };
  const dest = `arn:aws:events${base}api-destination/`;
  if (arn.startsWith(dest))
    return { kind: 'http', destination: arn.slice(dest.length).split('/')[0]! };
  return undefined;
}

/** The route (isolation unit) of a target kind; queue targets have none (delivered at dispatch). */
export function routeOf(kind: TargetKind): string {
  return kind.kind === 'queue'
    ? `queue:${kind.queue}`
    : kind.kind === 'function'
      ? `fn:${kind.name}`
      : `http:${kind.destination}`;
}

function intIn(v: unknown, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new BallastError(
      'ValidationException',
      `${name} must be an integer from ${min} to ${max}.`,
    );
  }
  return v;
}

/** Validates a target for PutTargets and returns what the store keeps; throws `ValidationException`. */
export function validateTarget(t: TargetInput, scope: ArnScope, limits: BusLimits): TargetRecord {
  const id = targetId(t.id);
  if (typeof t.arn !== 'string' || !targetKind(t.arn, scope)) {
    throw new BallastError(
      'ValidationException',
      `Target ${id}: unsupported target ARN ${String(t.arn)} (Ballast delivers to its queues, API destinations and registered functions of region ${scope.region}, account ${scope.accountId}).`,
    );
  }
  compileShaping(t, limits);
  intIn(t.retryPolicy?.maximumRetryAttempts, 'MaximumRetryAttempts', 0, 185, 185);
  intIn(t.retryPolicy?.maximumEventAgeInSeconds, 'MaximumEventAgeInSeconds', 60, 86_400, 86_400);
  if (t.deadLetterConfig !== undefined) {
    const k =
      typeof t.deadLetterConfig.arn === 'string'
        ? targetKind(t.deadLetterConfig.arn, scope)
        : undefined;
    if (k?.kind !== 'queue' || k.queue.endsWith('.fifo')) {
      throw new BallastError(
        'ValidationException',
        `Target ${id}: DeadLetterConfig.Arn must be the ARN of a standard queue.`,
      );
    }
  }
  const group = t.sqsParameters?.messageGroupId;
  if (
    group !== undefined &&
    (typeof group !== 'string' || group.length < 1 || group.length > 100)
  ) {
    throw new BallastError(
      'ValidationException',
      `Target ${id}: SqsParameters.MessageGroupId must be 1 to 100 characters.`,
    );
  }
  const { id: _id, arn, ...config } = t;
  return { id, arn, config: JSON.parse(JSON.stringify(config)) as Record<string, unknown> };
}

/** Compiles a stored target for dispatch (it was validated when it was put). */
export function compileTarget(
  record: TargetRecord,
  scope: ArnScope,
  limits: BusLimits,
): CompiledTarget | undefined {
  const kind = targetKind(record.arn, scope);
  if (!kind) return undefined;
  const c = record.config as Omit<TargetInput, 'id' | 'arn'>;
  return {
    id: record.id,
    arn: record.arn,
    kind,
    shape: compileShaping(c, limits),
    maxRetries: c.retryPolicy?.maximumRetryAttempts ?? 185,
    maxAgeMs: (c.retryPolicy?.maximumEventAgeInSeconds ?? 86_400) * 1000,
    deadLetterArn: c.deadLetterConfig?.arn ?? null,
    messageGroupId: c.sqsParameters?.messageGroupId ?? null,
    http: c.httpParameters ?? null,
  };
}
