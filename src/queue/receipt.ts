import { BallastError } from '../core/errors.js';
import type { ReceiptRef } from '../store/contract.js';

/**
 * A receipt handle is opaque to users: base64url of `queueId.position.token`. It names the
 * queue so a handle used on another queue is rejected instead of silently matching nothing.
 */
export function encodeReceiptHandle(queueId: number, position: number, token: string): string {
  return Buffer.from(`${queueId.toString(36)}.${position.toString(36)}.${token}`, 'utf8').toString(
    'base64url',
  );
}

/** Decodes a handle for `queueId`; throws `ReceiptHandleIsInvalid` when malformed or from another queue. */
export function decodeReceiptHandle(handle: unknown, queueId: number): ReceiptRef {
  const invalid = (): BallastError =>
    new BallastError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${String(handle)}" is not a valid receipt handle.`,
    );
  if (typeof handle !== 'string' || handle.length === 0 || handle.length > 1024) throw invalid();
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('.');
  if (parts.length !== 3) throw invalid();
  const [q, p, token] = parts as [string, string, string];
  const qid = parseInt(q, 36);
  const position = parseInt(p, 36);
  if (!Number.isSafeInteger(position) || qid !== queueId || !/^[A-Za-z0-9_-]{16,64}$/.test(token))
    throw invalid();
  return { position, token };
}
