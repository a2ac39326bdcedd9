import { BallastError } from '../../../core/errors.js';
import { reqString } from '../aws/input.js';
import { awsJsonHandler } from '../aws/handler.js';
import type { AwsProtocol, ProtocolDeps, ProtocolHandler } from '../aws/protocol.js';
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
  const { publicUrl } = deps.options;
  return awsJsonHandler(deps, protocol, {
    operations: SQS_OPERATIONS,
    unknownOperation: invalidAction,
    invalidUtf8: 'InvalidMessageContents',
    context: (base, request) => {
      const origin = publicUrl?.() ?? new URL(request.url).origin;
      return {
        ...base,
        queueUrl: (queue) => buildQueueUrl(origin, base.accountId, queue),
        queueName: (o) => queueNameFromUrl(reqString(o, 'QueueUrl'), base.accountId),
      };
    },
  });
}
