import { createHash } from 'node:crypto';
import { checkInbox, handleOnce, type InboxOptions } from '../idempotency/inbox.js';
import type { FunctionTarget } from './invoke.js';
import type { ArnScope } from './targets.js';

/** In-process function targets by name: what the delivery worker calls for `arn:aws:lambda:…:function:<name>`. */
export class FunctionTargets {
  readonly #scope: ArnScope;
  readonly #functions = new Map<string, FunctionTarget>();

  /** @internal created by the bus manager. */
  constructor(scope: ArnScope) {
    this.#scope = scope;
  }

  /** The registered functions by name (read by the delivery worker at every claim). */
  get registered(): ReadonlyMap<string, FunctionTarget> {
    return this.#functions;
  }

  /**
   * Registers a function; with `idempotency` it runs once per (event id, rule, target), and with
   * `transactional` its writes through `context.transaction` commit with that record. Returns the unregister function.
   */
  register(name: string, fn: FunctionTarget, options: InboxOptions): () => void {
    checkInbox(options);
    // An idempotent function runs once per (event, rule, target): a retried or re-dispatched delivery is skipped.
    const target: FunctionTarget = options.idempotency
      ? async (event, ctx) => {
          const where = createHash('sha256')
            .update(`${ctx.ruleArn} ${ctx.targetId}`)
            .digest('hex')
            .slice(0, 32);
          await handleOnce(
            options,
            { key: `${String(event.id)}:${where}`, scope: `fn:${name}` },
            (transaction) => fn(event, transaction ? { ...ctx, transaction } : ctx),
          );
        }
      : fn;
    this.#functions.set(name, target);
    return () => {
      if (this.#functions.get(name) === target) this.#functions.delete(name);
    };
  }

  /** ARN of an in-process function target. */
  arn(name: string): string {
    return `arn:aws:lambda:${this.#scope.region}:${this.#scope.accountId}:function:${name}`;
  }
}
