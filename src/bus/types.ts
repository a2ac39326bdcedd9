import type { DeliveryRecord, EventTrace } from '../store/bus-contract.js';
import type { TargetInput } from './targets.js';

/** Options naming the bus a call works on. */
export interface OnBus {
  /** Bus name or ARN. @defaultValue 'default' */
  eventBusName?: string;
}

/** A page request. */
export interface PageOptions {
  /** From a previous page's `nextToken`. */
  nextToken?: string;
  /** 1–100. @defaultValue 100 */
  limit?: number;
}

/** PutRule's fields (EventBridge PutRule, camelCase). Omitted fields become null: PutRule replaces the whole rule. */
export interface PutRuleOptions extends OnBus {
  /** Pattern as JSON text or an object. */
  eventPattern?: string | Record<string, unknown>;
  /** `rate(…)` or `cron(…)`. */
  scheduleExpression?: string;
  /** @defaultValue 'ENABLED' */
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  /** Tags of a new rule (a replaced rule keeps its own, as EventBridge ignores them then; change them with `tagResource`). */
  tags?: Record<string, string>;
}

/** A rule as DescribeRule shows it. */
export interface RuleDescription {
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
}

/** Options of CreateEventBus. */
export interface CreateEventBusOptions {
  description?: string;
  /** Where deliveries that fail for good go (an SQS queue ARN). */
  deadLetterConfig?: { arn: string };
  /** Up to 50. */
  tags?: Record<string, string>;
  /** Kept and shown, not used: Ballast does not encrypt events. */
  kmsKeyIdentifier?: string;
}

/** UpdateEventBus's fields: each omitted one is cleared. */
export interface UpdateEventBusOptions {
  description?: string;
  deadLetterConfig?: { arn: string };
  /** Kept and shown, not used: Ballast does not encrypt events. */
  kmsKeyIdentifier?: string;
}

/** A bus as DescribeEventBus shows it. */
export interface EventBusDescription {
  name: string;
  arn: string;
  description?: string;
  deadLetterConfig?: { arn: string };
  kmsKeyIdentifier?: string;
  /** The resource policy PutPermission built (JSON text); stored, not enforced. */
  policy?: string;
  /** Epoch ms. */
  creationTime: number;
  lastModifiedTime: number;
}

/** Per-entry failure of PutTargets / RemoveTargets. */
export interface TargetFailure {
  targetId: string;
  errorCode: string;
  errorMessage: string;
}

export type { TargetInput };

/** An event's trace with the names of its bus and rules (a deleted one reads `deleted-bus-<id>` / `deleted-rule-<id>`). */
export interface NamedEventTrace extends EventTrace {
  readonly busName: string;
  readonly deliveries: readonly (DeliveryRecord & { readonly ruleName: string })[];
}
