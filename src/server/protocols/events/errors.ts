import { type ErrorShape, isBallastError } from '../../../core/errors.js';
import { toWireError, type ProtocolErrorMap, type WireError } from '../aws/errors.js';
import { AMZ_JSON_1_1 } from '../aws/media-types.js';

/**
 * An error of the EventBridge wire protocol itself (unknown operation, wrong content type, an
 * operation Ballast does not offer yet): codes the library never throws, so not BallastErrors.
 */
export class EventsProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'EventsProtocolError';
  }
}

const NAMESPACE = 'com.amazonaws.events';
const shape = (
  code: string,
  status: number,
  fault: ErrorShape['fault'] = 'Sender',
): ErrorShape => ({ status, queryCode: code, fault, namespace: NAMESPACE });

/*
 * Library codes whose EventBridge name or status differs. The library's own EventBridge codes
 * (namespace com.amazonaws.events) pass through with 400; ResourceNotFoundException is 404 in
 * ERROR_SHAPES because SQS wants that, but EventBridge answers 400.
 */
const RENAMED: Readonly<Record<string, ErrorShape>> = {
  ResourceNotFoundException: shape('ResourceNotFoundException', 400),
  SerializationException: shape('SerializationException', 400),
  // SigV4 failures: the names AWS JSON 1.1 services answer with, at the common errors' statuses.
  MissingAuthenticationToken: shape('MissingAuthenticationTokenException', 403),
  IncompleteSignature: shape('IncompleteSignatureException', 400),
  InvalidClientTokenId: shape('UnrecognizedClientException', 403),
  SignatureDoesNotMatch: shape('InvalidSignatureException', 403),
  AccessDenied: shape('AccessDeniedException', 400),
  InvalidSecurity: shape('IncompleteSignatureException', 400),
  RequestEntityTooLarge: shape('RequestEntityTooLargeException', 413),
  RequestTimeout: shape('RequestTimeoutException', 408),
  // Load shedding keeps its 503; the name is the one the SDKs retry as throttling.
  RequestThrottled: shape('ThrottlingException', 503, 'Receiver'),
  StoreUnavailable: shape('ServiceUnavailableException', 503, 'Receiver'),
  Closed: shape('ServiceUnavailableException', 503, 'Receiver'),
};
const INTERNAL = shape('InternalException', 500, 'Receiver');
const VALIDATION = shape('ValidationException', 400);

/**
 * Maps anything thrown while answering an EventBridge call to its wire form: EventBridge names,
 * HTTP 400 for the caller's faults, 500 `InternalException` (text withheld) for ours.
 */
export function toEventsWireError(error: unknown): WireError {
  if (error instanceof EventsProtocolError) {
    return {
      code: error.code,
      message: error.message,
      shape: shape(error.code, error.status),
      unexpected: false,
    };
  }
  const wire = toWireError(error);
  if (!isBallastError(error) || wire.code === 'InternalError')
    return { ...wire, code: INTERNAL.queryCode, shape: INTERNAL };
  const renamed = RENAMED[wire.code];
  if (renamed) return { ...wire, code: renamed.queryCode, shape: renamed };
  if (wire.shape.namespace === NAMESPACE) return { ...wire, shape: shape(wire.code, 400) };
  // Type and constraint errors of the shared wire helpers (MissingParameter, InvalidParameterValue, …).
  return {
    ...wire,
    code: VALIDATION.queryCode,
    shape: wire.shape.fault === 'Receiver' ? INTERNAL : VALIDATION,
  };
}

/** The EventBridge error response: `{"__type":"<Code>","message":…}` (and `x-amzn-ErrorType`), which the SDKs decode. */
export function eventsErrorResponse(wire: WireError, requestId: string): Response {
  const headers: Record<string, string> = {
    'Content-Type': AMZ_JSON_1_1,
    'x-amzn-ErrorType': wire.code,
    'x-amzn-RequestId': requestId,
  };
  // The rest of an oversized body is never read, so the connection cannot be reused.
  if (wire.shape.status === 413) headers.Connection = 'close';
  return new Response(JSON.stringify({ __type: wire.code, message: wire.message }), {
    status: wire.shape.status,
    headers,
  });
}

/** EventBridge's error map: the library's shapes with EventBridge's names and statuses (`RENAMED` above). */
export const EVENTS_ERRORS: ProtocolErrorMap = {
  toWire: toEventsWireError,
  response: eventsErrorResponse,
};
