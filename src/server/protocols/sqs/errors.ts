import { toWireError, type ProtocolErrorMap, type WireError } from '../aws/errors.js';
import { AMZ_JSON_1_0 } from '../aws/media-types.js';

/**
 * The SQS error response: status from the shape, `x-amzn-query-error: <queryCode>;<fault>` and
 * `{"__type":"<namespace>#<code>","message":…}`, which the AWS SDKs decode into typed exceptions.
 */
export function sqsErrorResponse(wire: WireError, requestId: string): Response {
  const body = JSON.stringify({
    __type: `${wire.shape.namespace}#${wire.code}`,
    message: wire.message,
  });
  const headers: Record<string, string> = {
    'Content-Type': AMZ_JSON_1_0,
    'x-amzn-query-error': `${wire.shape.queryCode};${wire.shape.fault}`,
    'x-amzn-RequestId': requestId,
  };
  // The rest of an oversized body is never read, so the connection cannot be reused.
  if (wire.code === 'RequestEntityTooLarge') headers.Connection = 'close';
  return new Response(body, { status: wire.shape.status, headers });
}

/**
 * SQS's error map. Its code → status/shape table is the library's own `ERROR_SHAPES`
 * (core/errors.ts), which follows SQS's names, query codes and statuses, so nothing is renamed.
 */
export const SQS_ERRORS: ProtocolErrorMap = { toWire: toWireError, response: sqsErrorResponse };
