import { BallastError } from '../core/errors.js';

/** The key was already used with a different request (HTTP 422). Code `IdempotencyKeyReused`. */
export class IdempotencyKeyReusedError extends BallastError {
  constructor(message = 'This idempotency key was already used with a different request.') {
    super('IdempotencyKeyReused', message);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Another run holds the key (HTTP 409); `retryAfterSeconds` is when its lease ends at the latest. Code `IdempotencyInProgress`. */
export class IdempotencyInProgressError extends BallastError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'IdempotencyInProgress',
      `A request with this idempotency key is in progress; retry after ${retryAfterSeconds} s.`,
    );
    this.name = 'IdempotencyInProgressError';
  }
}

/** This run lost its key to another caller (its lease was taken over); its result was not stored. Code `IdempotencyLeaseLost`. */
export class IdempotencyLeaseLostError extends BallastError {
  constructor(
    message = 'This run lost its idempotency key to another caller before finishing; its result was not stored.',
  ) {
    super('IdempotencyLeaseLost', message);
    this.name = 'IdempotencyLeaseLostError';
  }
}
