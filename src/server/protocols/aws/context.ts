import type { Ballast } from '../../../ballast.js';
import type { Clock } from '../../../core/clock.js';
import type { ServerLogger } from '../../options.js';
import type { WireObject } from './input.js';

/** What every operation handler of every AWS protocol gets besides its input, per request. */
export interface RequestContext {
  readonly ballast: Ballast;
  /** `x-amzn-RequestId` of this request. */
  readonly requestId: string;
  /** Region in the ARNs and URLs the server hands out (the Ballast's). @defaultValue 'us-east-1' */
  readonly region: string;
  /** Account id in the ARNs and URLs the server hands out (the Ballast's). @defaultValue '000000000000' */
  readonly accountId: string;
  /** The Ballast's time source. */
  readonly clock: Clock;
  /** The server's logger. */
  readonly logger: ServerLogger;
  /** Aborts when the client disconnects or the server closes (ends long polls). */
  readonly signal: AbortSignal;
}

/** One operation of an AWS JSON protocol: type-checked wire input in, JSON-able output (`{}` when none) out. */
export type AwsOperation<C extends RequestContext = RequestContext> = (
  input: WireObject,
  ctx: C,
) => Promise<object>;

/** The shared part of a request's context: the Ballast's region, account, clock and the server's logger. */
export function baseContext(
  deps: { readonly ballast: Ballast; readonly options: { readonly logger: ServerLogger } },
  requestId: string,
  signal: AbortSignal,
): RequestContext {
  const { ballast } = deps;
  return {
    ballast,
    requestId,
    region: ballast.region,
    accountId: ballast.accountId,
    clock: ballast.clock,
    logger: deps.options.logger,
    signal,
  };
}
