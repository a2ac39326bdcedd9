import type { Context, Next } from 'hono';
import type { ServerEnv } from '../env.js';
import { AMZ_JSON_1_0, AMZ_JSON_1_1, FORM_URLENCODED, mediaType } from './aws/media-types.js';
import type { AwsProtocol, ProtocolDeps } from './aws/protocol.js';
import { eventsHandler } from './events/dispatch.js';
import { EVENTS_ERRORS } from './events/errors.js';
import { SQS_QUERY_ERRORS } from './sqs-query/errors.js';
import { sqsQueryHandler } from './sqs-query/handler.js';
import { sqsContext, sqsHandler } from './sqs/dispatch.js';
import { SQS_ERRORS } from './sqs/errors.js';
import { SQS_OPERATIONS } from './sqs/operations/index.js';

/**
 * The server's protocol table: every wire protocol answered on the port, one row each
 * (`AwsProtocol`: name, SigV4 signing name, target prefix, content type, error map, handler).
 * A POST goes to the first row whose target prefix starts its `X-Amz-Target`; a POST without a
 * target, to the first row whose content type it carries; anything else to the first row (SQS,
 * which answers unknown targets with `InvalidAction`). A GET whose query string names an
 * `Action` goes to the first row that answers GETs (the SQS query protocol); other GETs are not
 * the protocols'.
 *
 * To add a protocol: (1) create `protocols/<name>/` depending on `protocols/aws/` only (never on
 * another protocol's folder): its operations, an error map (`ProtocolErrorMap`) and a handler,
 * usually `awsJsonHandler` with the protocol's spec; (2) add its one row here. Nothing in app.ts
 * changes. Another wire form of existing operations (`sqs-query`) gets them here, from the table.
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
  {
    name: 'sqs-query',
    signingName: 'sqs',
    targetPrefix: null,
    contentType: FORM_URLENCODED,
    answersGet: true,
    errors: SQS_QUERY_ERRORS,
    handler: sqsQueryHandler({ operations: SQS_OPERATIONS, context: sqsContext }),
  },
];

/** The row of `table` that answers a POST with these headers (see `PROTOCOLS` for the rule). */
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

/** The row of `table` that answers a GET of `url`: one that answers GETs, when the URL names an `Action`. */
export function protocolForGet(
  url: URL,
  table: readonly AwsProtocol[] = PROTOCOLS,
): AwsProtocol | undefined {
  if (!url.searchParams.has('Action')) return undefined;
  return table.find((p) => p.answersGet === true);
}

/**
 * One handler for every POST and GET that routes each request to its protocol's handler (each
 * built once, here); a GET no protocol claims goes on to the app's other routes (404).
 */
export function routeProtocols(
  deps: ProtocolDeps,
  table: readonly AwsProtocol[] = PROTOCOLS,
): (c: Context<ServerEnv>, next: Next) => Promise<Response | void> {
  const handlers = new Map(table.map((p) => [p, p.handler(deps, p)] as const));
  return async (c, next) => {
    const row =
      c.req.method === 'POST'
        ? protocolFor(c.req.raw.headers, table)
        : protocolForGet(new URL(c.req.url), table);
    if (row === undefined) return next();
    return handlers.get(row)!(c);
  };
}
