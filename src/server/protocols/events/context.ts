import type { Ballast } from '../../../ballast.js';
import type { WireObject } from '../sqs/input.js';

/** What one EventBridge operation handler gets besides its input. */
export interface EventsContext {
  readonly ballast: Ballast;
  /** The account id in every ARN this Ballast hands out (DescribeRule's `CreatedBy`). */
  readonly accountId: string;
}

/** One EventBridge operation: type-checked wire input in, JSON-able output (`{}` when none) out. */
export type EventsOperation = (input: WireObject, ctx: EventsContext) => Promise<object>;
