import { awsJsonHandler } from '../aws/handler.js';
import { AMZ_JSON_1_1, mediaType } from '../aws/media-types.js';
import type { AwsProtocol, ProtocolDeps, ProtocolHandler } from '../aws/protocol.js';
import { EventsProtocolError } from './errors.js';
import { EVENTS_OPERATIONS } from './operations/index.js';

/** The operation named by `X-Amz-Target` was missing or unknown: `UnknownOperationException`. */
function unknownOperation(target: string | undefined): EventsProtocolError {
  if (target === undefined || target === '') {
    return new EventsProtocolError(
      'UnknownOperationException',
      'Missing X-Amz-Target header: EventBridge requests name their operation as AWSEvents.<Operation>.',
    );
  }
  return new EventsProtocolError(
    'UnknownOperationException',
    `The operation ${target} is not an EventBridge operation.`,
  );
}

/** EventBridge takes JSON 1.1 only: any other content type is `UnsupportedMediaTypeException` (415). */
function requireJson11(request: Request): void {
  const type = mediaType(request.headers.get('content-type'));
  if (type !== AMZ_JSON_1_1) {
    throw new EventsProtocolError(
      'UnsupportedMediaTypeException',
      `EventBridge requests must be sent as ${AMZ_JSON_1_1}, not '${type}'.`,
      415,
    );
  }
}

/**
 * `POST /` of the EventBridge JSON 1.1 protocol (the shared AWS JSON pipeline, `awsJsonHandler`),
 * with the content type checked after the target and `ValidationException` for bodies that are not UTF-8.
 */
export function eventsHandler(deps: ProtocolDeps, protocol: AwsProtocol): ProtocolHandler {
  return awsJsonHandler(deps, protocol, {
    operations: EVENTS_OPERATIONS,
    unknownOperation,
    checkRequest: requireJson11,
    invalidUtf8: 'ValidationException',
    context: (base) => base,
  });
}
