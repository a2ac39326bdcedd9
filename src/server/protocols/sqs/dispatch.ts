import type { Context } from 'hono';
import type { Ballast } from '../../../ballast.js';
import { BallastError } from '../../../core/errors.js';
import { anySignal } from '../../body.js';
import { sqsErrorResponse, sqsOkResponse, toWireError } from '../../error-map.js';
import type { ResolvedAppOptions } from '../../options.js';
import type { ServerEnv } from '../../env.js';
import type { SqsContext } from './context.js';
import { parseJsonObject, readSignedBody, labelOperation } from '../json-request.js';
import { reqString } from './input.js';
import { SQS_OPERATIONS } from './operations/index.js';
import { buildQueueUrl, queueNameFromUrl } from './queue-url.js';

const TARGET_PREFIX = 'AmazonSQS.';

/** What the SQS handler shares with the app. */
export interface SqsHandlerDeps {
  ballast: Ballast;
  options: ResolvedAppOptions;
  /** Aborts when the server closes: long polls end and answer at once. */
  closing: AbortSignal;
}

/** The operation named by `X-Amz-Target`, or `InvalidAction`. */
function operationName(target: string | undefined): string {
  if (target === undefined || target === '') {
    throw new BallastError('InvalidAction', 'Missing X-Amz-Target header: this endpoint speaks the SQS JSON 1.0 protocol (AmazonSQS.<Operation>).');
  }
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!SQS_OPERATIONS.has(op)) throw new BallastError('InvalidAction', `The action ${target} is not valid for this endpoint.`);
  return op;
}

/**
 * `POST /` of the SQS JSON 1.0 protocol: size limit → SigV4 (when configured) → target → JSON →
 * operation. Every failure becomes an SQS-shaped error; nothing a client sends yields a 500.
 */
export function sqsHandler(deps: SqsHandlerDeps): (c: Context<ServerEnv>) => Promise<Response> {
  const { ballast, options, closing } = deps;
  const accountId = ballast.queues.arn('q').split(':')[4] ?? '000000000000';
  return async (c) => {
    const requestId = c.get('requestId');
    const request = c.req.raw;
    // Read the signal now: the adapter only wires client disconnects to a signal that exists.
    const aborted = anySignal([request.signal, closing]);
    const target = c.req.header('x-amz-target');
    labelOperation(c, TARGET_PREFIX, SQS_OPERATIONS);
    try {
      const body = await readSignedBody(request, options, ballast.clock.now(), 'sqs');
      const name = operationName(target);
      const input = parseJsonObject(body, 'InvalidMessageContents');
      const origin = options.publicUrl?.() ?? new URL(request.url).origin;
      const ctx: SqsContext = {
        ballast,
        accountId,
        signal: aborted.signal,
        queueUrl: (queue) => buildQueueUrl(origin, accountId, queue),
        queueName: (o) => queueNameFromUrl(reqString(o, 'QueueUrl'), accountId),
      };
      const output = await SQS_OPERATIONS.get(name)!(input, ctx);
      return sqsOkResponse(output, requestId);
    } catch (error) {
      const wire = toWireError(error);
      c.set('error', { wire, error });
      return sqsErrorResponse(wire, requestId);
    } finally {
      aborted.dispose();
    }
  };
}
