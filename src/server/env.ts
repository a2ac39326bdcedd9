import type { WireError } from './protocols/aws/errors.js';

/** Hono environment of the server: per-request variables set by middleware and handlers. */
export interface ServerEnv {
  Variables: {
    /** `x-amzn-RequestId` of this request. */
    requestId: string;
    /** Metric/log label: the SQS operation or the route. */
    operation: string;
    /** The queue or bus a request names (its QueueUrl, QueueName or EventBusName), for logs and spans. */
    resource: string | undefined;
    /** The error answered, for logging (the response already carries its wire form). */
    error: { wire: WireError; error: unknown };
  };
}
