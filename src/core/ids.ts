import { randomBytes, randomUUID } from 'node:crypto';

/** A new message id (UUID v4, as SQS uses). */
export const newMessageId = (): string => randomUUID();

/** A fresh unguessable token for one receive: 16 random bytes, base64url (22 chars). */
export const newReceiptToken = (): string => randomBytes(16).toString('base64url');

/** SQS-style 20-digit sequence number from a store's increasing position. */
export const formatSequenceNumber = (position: number | bigint): string =>
  position.toString().padStart(20, '0');
