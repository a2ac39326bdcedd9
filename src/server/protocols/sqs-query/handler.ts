import { BallastError } from '../../../core/errors.js';
import { anySignal } from '../../body.js';
import { baseContext, type AwsOperation, type RequestContext } from '../aws/context.js';
import type { WireObject } from '../aws/input.js';
import {
  failureResponse,
  type AwsProtocol,
  type ProtocolDeps,
  type ProtocolHandler,
} from '../aws/protocol.js';
import { readSignedBody } from '../aws/request.js';
import { SQS_QUERY_ACTIONS } from './actions.js';
import { formPairs, formText, paramTree, paramValue, type ParamNode } from './params.js';
import { queryOkResponse } from './response.js';
import { fromParams } from './shapes.js';
import { resourceOf } from '../aws/resource.js';

/**
 * The operations the query protocol puts on the wire: the SQS JSON protocol's own, handed over
 * by the protocol table (a protocol folder never imports another), with the context they need.
 */
export interface SqsQuerySpec<C extends RequestContext> {
  /** The SQS operations by name (`Action=` here, the `X-Amz-Target` suffix in JSON). */
  readonly operations: ReadonlyMap<string, AwsOperation<C>>;
  /** Builds, once per app, what turns the shared request context into the operations' own. */
  context(deps: ProtocolDeps): (base: RequestContext, request: Request) => C;
}

function unknownAction(action: string): BallastError {
  if (action === '')
    return new BallastError(
      'InvalidAction',
      'The request must name an Action: this endpoint speaks the SQS query protocol (Action=<Operation>&Version=2012-11-05) and SQS JSON 1.0.',
    );
  return new BallastError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
}

/** The request's parameters: the URL's query string, then (POST) the form body, which wins. */
function requestParams(request: Request, url: URL, body: Uint8Array): ParamNode {
  const pairs = formPairs(url.search.slice(1));
  if (request.method === 'POST') pairs.push(...formPairs(formText(body)));
  const params = paramTree(pairs);
  // A request sent to the queue's URL (`/<account>/<queue>`, as the Java SDK v1 does) addresses
  // that queue when it names none itself.
  if (url.pathname !== '/' && paramValue(params, 'QueueUrl') === undefined)
    params.children.set('QueueUrl', { value: url.pathname, children: new Map() });
  return params;
}

/**
 * The SQS query protocol (`Action=…&Version=2012-11-05`, form POST to `/` or to a queue's URL, or
 * GET with the parameters in the query string): size limit → SigV4 (the body or query string is
 * signed) → parameters → the same operation as SQS JSON → XML. Failures are `<ErrorResponse>`s.
 */
export function sqsQueryHandler<C extends RequestContext>(
  spec: SqsQuerySpec<C>,
): (deps: ProtocolDeps, protocol: AwsProtocol) => ProtocolHandler {
  return (deps, protocol) => {
    const context = spec.context(deps);
    return async (c) => {
      const requestId = c.get('requestId');
      const request = c.req.raw;
      // Read the signal now: the adapter only wires client disconnects to a signal that exists.
      const aborted = anySignal([request.signal, deps.closing]);
      c.set('operation', 'unknown');
      try {
        const body = await readSignedBody(
          request,
          deps.options,
          deps.ballast.clock.now(),
          protocol.signingName,
        );
        const url = new URL(request.url);
        const params = requestParams(request, url, body);
        const name = paramValue(params, 'Action') ?? '';
        const action = SQS_QUERY_ACTIONS.get(name);
        const operation = spec.operations.get(name);
        if (action === undefined || operation === undefined) throw unknownAction(name);
        // Only known names become labels, so clients cannot blow up the metrics' label cardinality.
        c.set('operation', name);
        const input = fromParams(params, action.input, '') as WireObject;
        c.set('resource', resourceOf(input));
        const ctx = context(baseContext(deps, requestId, aborted.signal), request);
        const output = await operation(input, ctx);
        return queryOkResponse(name, action.output, output, requestId);
      } catch (error) {
        return failureResponse(c, protocol, error);
      } finally {
        aborted.dispose();
      }
    };
  };
}
