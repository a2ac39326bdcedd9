import type { Ballast } from '../../../ballast.js';
import type { WireObject } from './input.js';

/** What one SQS operation handler gets besides its input. */
export interface SqsContext {
  readonly ballast: Ballast;
  /** The account id in QueueUrls and ARNs. */
  readonly accountId: string;
  /** Aborts when the client disconnects or the server closes (ends long polls). */
  readonly signal: AbortSignal;
  /** The QueueUrl of a queue, on the server's public origin. */
  queueUrl(name: string): string;
  /** The queue name addressed by the required `QueueUrl` member of `input`. */
  queueName(input: WireObject): string;
}

/** One SQS operation: validated input in, JSON-able output (`{}` when none) out. */
export type SqsOperation = (input: WireObject, ctx: SqsContext) => Promise<object>;

/** Drops undefined members so responses carry only what applies. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
