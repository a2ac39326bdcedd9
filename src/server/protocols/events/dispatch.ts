import type { Context } from 'hono';
import type { Ballast } from '../../../ballast.js';
import type { ServerEnv } from '../../env.js';
import type { ResolvedAppOptions } from '../../options.js';
import { parseJsonObject, readSignedBody, labelOperation } from '../json-request.js';
import type { EventsContext } from './context.js';
import { AMZ_JSON_1_1, eventsErrorResponse, eventsOkResponse, EventsProtocolError, toEventsWireError } from './errors.js';
import { EVENTS_OPERATIONS } from './operations/index.js';

const TARGET_PREFIX = 'AWSEvents.';

/** What the EventBridge handler shares with the app. */
export interface EventsHandlerDeps {
  ballast: Ballast;
  options: ResolvedAppOptions;
}

/** The media type of a Content-Type header, without parameters (`; charset=…`), lower-cased. */
const mediaType = (header: string | null): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * True for requests of the EventBridge protocol: an `AWSEvents.` target, or no target but the
 * JSON 1.1 content type (so the error speaks EventBridge). Everything else stays SQS's.
 */
export function isEventsRequest(headers: Headers): boolean {
  const target = headers.get('x-amz-target');
  if (target === null || target === '') return mediaType(headers.get('content-type')) === AMZ_JSON_1_1;
  return target.startsWith(TARGET_PREFIX);
}

/** The operation named by `X-Amz-Target`; `UnknownOperationException` otherwise. */
function operationName(target: string | undefined): string {
  if (target === undefined || target === '') {
    throw new EventsProtocolError('UnknownOperationException', 'Missing X-Amz-Target header: EventBridge requests name their operation as AWSEvents.<Operation>.');
  }
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!EVENTS_OPERATIONS.has(op)) throw new EventsProtocolError('UnknownOperationException', `The operation ${target} is not an EventBridge operation.`);
  return op;
}

/**
 * `POST /` of the EventBridge JSON 1.1 protocol: size limit → SigV4 for `events` (when configured)
 * → target → content type → JSON → operation. Every failure is EventBridge-shaped; none a client causes is a 5xx.
 */
export function eventsHandler(deps: EventsHandlerDeps): (c: Context<ServerEnv>) => Promise<Response> {
  const { ballast, options } = deps;
  const accountId = ballast.bus.busArn('default').split(':')[4] ?? '000000000000';
  return async (c) => {
    const requestId = c.get('requestId');
    const request = c.req.raw;
    const target = c.req.header('x-amz-target');
    labelOperation(c, TARGET_PREFIX, EVENTS_OPERATIONS);
    try {
      const body = await readSignedBody(request, options, ballast.clock.now(), 'events');
      const name = operationName(target);
      const type = mediaType(request.headers.get('content-type'));
      if (type !== AMZ_JSON_1_1) {
        throw new EventsProtocolError('UnsupportedMediaTypeException', `EventBridge requests must be sent as ${AMZ_JSON_1_1}, not '${type}'.`, 415);
      }
      const ctx: EventsContext = { ballast, accountId };
      return eventsOkResponse(await EVENTS_OPERATIONS.get(name)!(parseJsonObject(body, 'ValidationException'), ctx), requestId);
    } catch (error) {
      const wire = toEventsWireError(error);
      c.set('error', { wire, error });
      return eventsErrorResponse(wire, requestId);
    }
  };
}
