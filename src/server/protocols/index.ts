import { AMZ_JSON_1_0, AMZ_JSON_1_1, mediaType } from './aws/media-types.js';
import type { AwsProtocol, ProtocolDeps, ProtocolHandler } from './aws/protocol.js';
import { eventsHandler } from './events/dispatch.js';
import { EVENTS_ERRORS } from './events/errors.js';
import { sqsHandler } from './sqs/dispatch.js';
import { SQS_ERRORS } from './sqs/errors.js';

/**
 * The server's protocol table: every wire protocol answered on `POST /`, one row each
 * (`AwsProtocol`: name, SigV4 signing name, target prefix, content type, error map, handler).
 * A request goes to the first row whose target prefix starts its `X-Amz-Target`; a request
 * without a target, to the first row whose content type it carries; anything else to the first
 * row (SQS, which answers unknown targets with `InvalidAction`).
 *
 * To add a protocol: (1) create `protocols/<name>/` depending on `protocols/aws/` only (never on
 * another protocol's folder): its operations, an error map (`ProtocolErrorMap`) and a handler,
 * usually `awsJsonHandler` with the protocol's spec; (2) add its one row here. Nothing in app.ts changes.
 */
export const PROTOCOLS: readonly AwsProtocol[] = [
  {
    name: 'sqs',
    signingName: 'sqs',
    targetPrefix: 'AmazonSQS.',
    contentType: AMZ_JSON_1_0,
    errors: SQS_ERRORS,
    handler: sqsHandler,
  },
  {
    name: 'events',
    signingName: 'events',
    targetPrefix: 'AWSEvents.',
    contentType: AMZ_JSON_1_1,
    errors: EVENTS_ERRORS,
    handler: eventsHandler,
  },
];

/** The row of `table` that answers a request with these headers (see `PROTOCOLS` for the rule). */
export function protocolFor(
  headers: Headers,
  table: readonly AwsProtocol[] = PROTOCOLS,
): AwsProtocol {
  const fallback = table[0]!;
  const target = headers.get('x-amz-target');
  if (target !== null && target !== '')
    return (
      table.find((p) => p.targetPrefix !== null && target.startsWith(p.targetPrefix)) ?? fallback
    );
  const type = mediaType(headers.get('content-type'));
  return table.find((p) => p.contentType === type) ?? fallback;
}

/** One handler for `POST /` that routes each request to its protocol's handler (each built once, here). */
export function routeProtocols(
  deps: ProtocolDeps,
  table: readonly AwsProtocol[] = PROTOCOLS,
): ProtocolHandler {
  const handlers = new Map(table.map((p) => [p, p.handler(deps, p)] as const));
  return (c) => handlers.get(protocolFor(c.req.raw.headers, table))!(c);
}
