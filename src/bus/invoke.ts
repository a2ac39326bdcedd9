import type { StoreTransaction } from '../store/idempotency-contract.js';

/** Why an attempt failed: EventBridge-style error code, and whether trying again can help. */
export class DeliveryError extends Error {
  /**
   * @param code - e.g. `NO_RESOURCE`, `TIMEOUT`, `THROTTLING`, `HTTP_503`, `HANDLER_ERROR`
   * @param retryable - false skips the remaining retries (straight to the dead-letter queue)
   */
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** What an in-process function target gets with each event. */
export interface FunctionTargetContext {
  /** The shaped input (the event's JSON, or what the target's Input/InputPath/InputTransformer made). */
  readonly payload: string;
  /** Aborted when the invocation times out or the bus stops. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly ruleArn: string;
  readonly targetId: string;
  /** The store's transaction, when registered with `transactional: true`: writes through it commit with the delivery's record. */
  readonly transaction?: StoreTransaction;
}

/**
 * An in-process function target: resolve = delivered; throw = retried (a `DeliveryError` with
 * `retryable: false` skips the retries).
 */
export type FunctionTarget = (
  event: Record<string, unknown>,
  context: FunctionTargetContext,
) => Promise<void> | void;
