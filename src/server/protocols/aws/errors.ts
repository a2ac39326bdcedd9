import { type ErrorShape, ERROR_SHAPES, isBallastError } from '../../../core/errors.js';

/** An error as it goes on the wire. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly shape: ErrorShape;
  /** True when the error was not a known (typed) one: a bug or an outage, logged in full. */
  readonly unexpected: boolean;
}

/**
 * Maps anything thrown by a handler to its wire form with the library's shapes (`ERROR_SHAPES`,
 * which follow SQS); unknown errors never leak their text. Protocols start from it and rename.
 */
export function toWireError(error: unknown): WireError {
  if (isBallastError(error)) {
    const unexpected = error.code === 'InternalError' || error.shape.fault === 'Receiver';
    return { code: error.code, message: error.message, shape: error.shape, unexpected };
  }
  return {
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
    shape: ERROR_SHAPES.InternalError,
    unexpected: true,
  };
}

/**
 * How one protocol puts failures on the wire: its own table from code to HTTP status and error
 * shape (applied by `toWire`) and its response form. Each protocol folder defines one; the
 * server's protocol table (`protocols/index.ts`) keys them by protocol.
 */
export interface ProtocolErrorMap {
  /** Maps anything thrown while answering a call of this protocol to its wire form. */
  toWire(error: unknown): WireError;
  /** The HTTP error response for `wire`, stamped with the request id. */
  response(wire: WireError, requestId: string): Response;
}
