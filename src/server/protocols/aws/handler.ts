import type { BallastErrorCode } from '../../../core/errors.js';
import { anySignal } from '../../body.js';
import { baseContext, type AwsOperation, type RequestContext } from './context.js';
import { jsonOkResponse } from './output.js';
import {
  failureResponse,
  type AwsProtocol,
  type ProtocolDeps,
  type ProtocolHandler,
} from './protocol.js';
import { parseJsonObject, readSignedBody } from './request.js';
import { resourceOf } from './resource.js';
import { operationOf } from './target.js';

/** What one AWS JSON protocol adds to the shared request pipeline of `awsJsonHandler`. */
export interface AwsJsonSpec<C extends RequestContext> {
  /** Every operation, by `X-Amz-Target` suffix. */
  readonly operations: ReadonlyMap<string, AwsOperation<C>>;
  /** The error for a missing (`undefined` or `''`) or unknown `X-Amz-Target`. */
  unknownOperation(target: string | undefined): Error;
  /** Checks the request once its target is known, before its JSON is decoded (EventBridge: the content type). */
  checkRequest?(request: Request): void;
  /** Error code for a body that is not UTF-8. @defaultValue 'SerializationException' */
  readonly invalidUtf8?: BallastErrorCode;
  /** Adds what this protocol's operations need to the shared context. */
  context(base: RequestContext, request: Request): C;
}

/**
 * `POST /` of an AWS JSON protocol: size limit → SigV4 for the protocol's signing name (when
 * credentials are configured) → target → `checkRequest` → JSON → operation. Every failure is
 * answered in the protocol's error shape (`protocol.errors`); nothing a client sends yields a 5xx.
 */
export function awsJsonHandler<C extends RequestContext>(
  deps: ProtocolDeps,
  protocol: AwsProtocol,
  spec: AwsJsonSpec<C>,
): ProtocolHandler {
  const { ballast, options, closing } = deps;
  const prefix = protocol.targetPrefix;
  // A programming error in the protocol table, caught when the app is built: JSON protocols name operations by target.
  if (prefix === null)
    throw new TypeError(
      `awsJsonHandler needs a target prefix; protocol '${protocol.name}' has none`,
    );
  return async (c) => {
    const requestId = c.get('requestId');
    const request = c.req.raw;
    // Read the signal now: the adapter only wires client disconnects to a signal that exists.
    const aborted = anySignal([request.signal, closing]);
    const target = c.req.header('x-amz-target');
    const name = operationOf(target, prefix, spec.operations);
    // Unknown names share one label, so clients cannot blow up the metrics' label cardinality.
    c.set('operation', name ?? 'unknown');
    try {
      const body = await readSignedBody(
        request,
        options,
        ballast.clock.now(),
        protocol.signingName,
      );
      if (name === undefined) throw spec.unknownOperation(target);
      spec.checkRequest?.(request);
      const input = parseJsonObject(body, spec.invalidUtf8);
      c.set('resource', resourceOf(input));
      const base = baseContext(deps, requestId, aborted.signal);
      const output = await spec.operations.get(name)!(input, spec.context(base, request));
      return jsonOkResponse(output, protocol.contentType, requestId);
    } catch (error) {
      return failureResponse(c, protocol, error);
    } finally {
      aborted.dispose();
    }
  };
}
