import { BallastError } from '../../../core/errors.js';
import { reqString } from '../aws/input.js';
import type { RequestContext } from '../aws/context.js';
import { awsJsonHandler } from '../aws/handler.js';
import type { AwsProtocol, ProtocolDeps, ProtocolHandler } from '../aws/protocol.js';
import type { SqsContext } from './context.js';
import { SQS_OPERATIONS } from './operations/index.js';
import { buildQueueUrl, queueNameFromUrl } from './queue-url.js';

/** The operation named by `X-Amz-Target` was missing or unknown: SQS answers `InvalidAction`. */
function invalidAction(target: string | undefined): BallastError {
  if (target === undefined || target === '') {
    return new BallastError(
      'InvalidAction',
      'Missing X-Amz-Target header: this endpoint speaks the SQS JSON 1.0 protocol (AmazonSQS.<Operation>).',
    );
  }
  return new BallastError('InvalidAction', `The action ${target} is not valid for this endpoint.`);
}

/**
 * `POST /` of the SQS JSON 1.0 protocol (the shared AWS JSON pipeline, `awsJsonHandler`), with
 * QueueUrls on the public origin and `InvalidMessageContents` for bodies that are not UTF-8.
 */
export function sqsHandler(deps: ProtocolDeps, protocol: AwsProtocol): ProtocolHandler {
  return awsJsonHandler(deps, protocol, {
    operations: SQS_OPERATIONS,
    unknownOperation: invalidAction,
    invalidUtf8: 'InvalidMessageContents',
    context: sqsContext(deps),
  });
}

/**
 * How a request's context becomes the SQS operations' (`SqsContext`: QueueUrls on the public
 * origin, queue names out of `QueueUrl`). Shared with every wire form of the SQS operations (the
 * protocol table hands it to the query protocol with `SQS_OPERATIONS`).
 */
export function sqsContext(
  deps: ProtocolDeps,
): (base: RequestContext, request: Request) => SqsContext {
  const { publicUrl } = deps.options;
  return (base, request) => {
    const origin = publicUrl?.() ?? new URL(request.url).origin;
    return {
      ...base,
      queueUrl: (queue) => buildQueueUrl(origin, base.accountId, queue),
      queueName: (o) => queueNameFromUrl(reqString(o, 'QueueUrl'), base.accountId),
    };
  };
}
