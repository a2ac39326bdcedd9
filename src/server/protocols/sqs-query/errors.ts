import { toWireError, type ProtocolErrorMap, type WireError } from '../aws/errors.js';
import { queryErrorBody } from './response.js';
import { XML_CONTENT_TYPE } from './xml.js';

/**
 * A failure as the SQS query protocol answers it: the shape's status and an `<ErrorResponse>`
 * whose `Code` and `Type` are the query code and fault the JSON protocol sends in
 * `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue`, `Sender`): one table for both.
 */
export function sqsQueryErrorResponse(wire: WireError, requestId: string): Response {
  const headers: Record<string, string> = {
    'Content-Type': XML_CONTENT_TYPE,
    'x-amzn-RequestId': requestId,
  };
  // The rest of an oversized body is never read, so the connection cannot be reused.
  if (wire.code === 'RequestEntityTooLarge') headers.Connection = 'close';
  const body = queryErrorBody(wire.shape.fault, wire.shape.queryCode, wire.message, requestId);
  return new Response(body, { status: wire.shape.status, headers });
}

/** The SQS query protocol's error map: the library's shapes (`ERROR_SHAPES`), as SQS JSON uses them, in XML. */
export const SQS_QUERY_ERRORS: ProtocolErrorMap = {
  toWire: toWireError,
  response: sqsQueryErrorResponse,
};
