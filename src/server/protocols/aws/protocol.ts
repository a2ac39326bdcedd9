import type { Context } from 'hono';
import type { Ballast } from '../../../ballast.js';
import type { ServerEnv } from '../../env.js';
import type { ResolvedAppOptions } from '../../options.js';
import type { ProtocolErrorMap } from './errors.js';

/** What every protocol handler shares with the app. */
export interface ProtocolDeps {
  readonly ballast: Ballast;
  readonly options: ResolvedAppOptions;
  /** Aborts when the server closes: long polls end and answer at once. */
  readonly closing: AbortSignal;
}

/** A protocol's answer to a request routed to it; it never throws (failures are answered in its error shape). */
export type ProtocolHandler = (c: Context<ServerEnv>) => Promise<Response>;

/** One row of the server's protocol table (`protocols/index.ts`): how a request finds the protocol and what answers it. */
export interface AwsProtocol {
  /** Short name, in docs and code (`sqs`, `events`). */
  readonly name: string;
  /** SigV4 signing name the credential scope must carry (`sqs`, `events`). */
  readonly signingName: string;
  /** `X-Amz-Target` prefix naming this protocol's operations (`AmazonSQS.`); `null` for protocols without targets (query/XML). */
  readonly targetPrefix: string | null;
  /** Request media type (JSON protocols answer in it too); claims requests that carry no target. */
  readonly contentType: string;
  /** Also answers `GET` requests whose query string names an `Action` (query protocols). @defaultValue false */
  readonly answersGet?: boolean;
  /** The protocol's error table and error response form. */
  readonly errors: ProtocolErrorMap;
  /** Builds the protocol's handler once per app; `protocol` is this row. */
  readonly handler: (deps: ProtocolDeps, protocol: AwsProtocol) => ProtocolHandler;
}

/** The answer to a request of `protocol` that failed with `error`: its error shape, recorded for the request log. */
export function failureResponse(
  c: Context<ServerEnv>,
  protocol: AwsProtocol,
  error: unknown,
): Response {
  const wire = protocol.errors.toWire(error);
  c.set('error', { wire, error });
  return protocol.errors.response(wire, c.get('requestId'));
}
