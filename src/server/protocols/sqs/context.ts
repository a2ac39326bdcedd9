import type { AwsOperation, RequestContext } from '../aws/context.js';
import type { WireObject } from '../aws/input.js';

/** What one SQS operation handler gets besides its input: the shared request context plus queue addressing. */
export interface SqsContext extends RequestContext {
  /** The QueueUrl of a queue, on the server's public origin. */
  queueUrl(name: string): string;
  /** The queue name addressed by the required `QueueUrl` member of `input`. */
  queueName(input: WireObject): string;
}

/** One SQS operation: validated input in, JSON-able output (`{}` when none) out. */
export type SqsOperation = AwsOperation<SqsContext>;
