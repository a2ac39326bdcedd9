import { randomUUID } from 'node:crypto';
import type { NewMessage } from '../../src/store/contract.js';

/** A ready-to-store message for store-level tests (1 h retention, no delay); `extra` overrides. */
export function testMessage(body: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    messageId: randomUUID(),
    body,
    attributes: null,
    md5OfBody: 'md5',
    md5OfAttributes: null,
    groupId: null,
    deduplicationId: null,
    traceHeader: null,
    deadLetterSourceArn: null,
    delayMs: 0,
    retentionMs: 3_600_000,
    sentAt: null,
    ...extra,
  };
}
