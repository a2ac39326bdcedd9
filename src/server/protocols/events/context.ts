import type { AwsOperation, RequestContext } from '../aws/context.js';

/**
 * What one EventBridge operation handler gets besides its input: the shared request context
 * (its `accountId` is DescribeRule's `CreatedBy`).
 */
export type EventsContext = RequestContext;

/** One EventBridge operation: type-checked wire input in, JSON-able output (`{}` when none) out. */
export type EventsOperation = AwsOperation<EventsContext>;
