import { type ErrorShape, ERROR_SHAPES, isBallastError } from '../core/errors.js';

/** Content type of every SQS JSON 1.0 request and response. */
export const AMZ_JSON = 'application/x-amz-json-1.0';

/** An error as it goes on the wire. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly shape: ErrorShape;
  /** True when the error was not a known (typed) one: a bug or an outage, logged in full. */
  readonly unexpected: boolean;
}

/** Maps anything thrown by a handler to its wire form; unknown errors never leak their text. */
export function toWireError(error: unknown): WireError {
  if (isBallastError(error)) {
    const unexpected = error.code === 'InternalError' || error.shape.fault === 'Receiver';
    return { code: error.code, message: error.message, shape: error.shape, unexpected };
  }
  return { code: 'InternalError', message: 'We encountered an internal error. Please try again.', shape: ERROR_SHAPES.InternalError, unexpected: true };
}

/**
 * The SQS error response: status from the shape, `x-amzn-query-error: <queryCode>;<fault>` and
 * `{"__type":"<namespace>#<code>","message":…}`, which the AWS SDKs decode into typed exceptions.
 */
export function sqsErrorResponse(wire: WireError, requestId: string): Response {
  const body = JSON.stringify({ __type: `${wire.shape.namespace}#${wire.code}`, message: wire.message });
  const headers: Record<string, string> = {
    'Content-Type': AMZ_JSON,
    'x-amzn-query-error': `${wire.shape.queryCode};${wire.shape.fault}`,
    'x-amzn-RequestId': requestId,
  };
  // The rest of an oversized body is never read, so the connection cannot be reused.
  if (wire.code === 'RequestEntityTooLarge') headers.Connection = 'close';
  return new Response(body, { status: wire.shape.status, headers });
}

/** A 200 SQS JSON response. */
export function sqsOkResponse(output: unknown, requestId: string): Response {
  return new Response(JSON.stringify(output ?? {}), {
    status: 200,
    headers: { 'Content-Type': AMZ_JSON, 'x-amzn-RequestId': requestId },
  });
}
