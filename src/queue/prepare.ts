import { createHash } from 'node:crypto';
import { BallastError, check } from '../core/errors.js';
import { formatSequenceNumber, newMessageId } from '../core/ids.js';
import type { QueueLimits } from '../core/limits.js';
import type { NewMessage, QueueRecord, SendOptions, StoredMessage } from '../store/contract.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { encodeReceiptHandle } from './receipt.js';
import type { ReceivedMessage, SendBatchEntry, SendMessageOptions } from './types.js';
import { checkRange, validateBody, validateFifoId, validateMessageAttributes } from './validate.js';

/** A validated message ready for the store, with its size in bytes. */
export interface PreparedMessage {
  message: NewMessage;
  bytes: number;
}

/** Store options of a send to `queue`: FIFO deduplication window and scope. */
export function sendOptionsFor(queue: QueueRecord, limits: QueueLimits): SendOptions {
  const s = queue.settings;
  return s.fifo
    ? {
        deduplication: {
          windowMs: limits.deduplicationInterval * 1000,
          perGroup: s.deduplicationScope === 'messageGroup',
        },
      }
    : {};
}

/** Validates one send against the queue's settings and limits and resolves delay, group and deduplication. */
export function prepareMessage(
  queue: QueueRecord,
  body: unknown,
  options: SendMessageOptions | SendBatchEntry,
  limits: QueueLimits,
): PreparedMessage {
  validateBody(body);
  const s = queue.settings;
  const attributes =
    options.attributes && Object.keys(options.attributes).length > 0 ? options.attributes : null;
  const bytes =
    Buffer.byteLength(body, 'utf8') +
    (attributes ? validateMessageAttributes(attributes, limits) : 0);
  check(
    bytes <= s.maximumMessageSize,
    `One or more parameters are invalid. Reason: Message must be shorter than ${s.maximumMessageSize} bytes.`,
  );
  let delaySeconds = s.delaySeconds;
  if (options.delaySeconds !== undefined) {
    check(
      !s.fifo,
      `Value ${options.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
    delaySeconds = checkRange(options.delaySeconds, 'DelaySeconds', 0, limits.maxDelaySeconds);
  }
  const groupId = options.groupId ?? null;
  if (groupId !== null) validateFifoId(groupId, 'MessageGroupId');
  let deduplicationId: string | null = null;
  if (s.fifo) {
    if (groupId === null)
      throw new BallastError(
        'MissingParameter',
        'The request must contain the parameter MessageGroupId.',
      );
    if (options.deduplicationId !== undefined) {
      validateFifoId(options.deduplicationId, 'MessageDeduplicationId');
      deduplicationId = options.deduplicationId;
    } else if (s.contentBasedDeduplication) {
      deduplicationId = createHash('sha256').update(body, 'utf8').digest('hex');
    } else {
      throw new BallastError(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  } else {
    check(
      options.deduplicationId === undefined,
      'The request include parameter MessageDeduplicationId that is not valid for this queue type',
    );
  }
  if (options.traceHeader !== undefined)
    check(typeof options.traceHeader === 'string', 'AWSTraceHeader must be a string');
  return {
    bytes,
    message: {
      messageId: newMessageId(),
      body,
      attributes,
      md5OfBody: md5Hex(body),
      md5OfAttributes: attributes ? md5OfAttributes(attributes) : null,
      groupId,
      deduplicationId,
      traceHeader: options.traceHeader ?? null,
      deadLetterSourceArn: null,
      delayMs: delaySeconds * 1000,
      retentionMs: s.messageRetentionPeriod * 1000,
      sentAt: null,
    },
  };
}

/** MD5 of the system attributes SQS lets a sender set (AWSTraceHeader only). */
export function md5OfSystemAttributes(traceHeader: string | null): string | undefined {
  return traceHeader === null
    ? undefined
    : md5OfAttributes({ AWSTraceHeader: { dataType: 'String', stringValue: traceHeader } });
}

/** Turns a claimed message into what users see. */
export function toReceivedMessage(queue: QueueRecord, m: StoredMessage): ReceivedMessage {
  const out: ReceivedMessage = {
    messageId: m.messageId,
    receiptHandle: encodeReceiptHandle(queue.id, m.position, m.receiptToken),
    body: m.body,
    md5OfBody: m.md5OfBody,
    messageAttributes: m.attributes ? { ...m.attributes } : {},
    receiveCount: m.receiveCount,
    sentTimestamp: m.sentAt,
    firstReceiveTimestamp: m.firstReceivedAt,
  };
  if (m.md5OfAttributes !== null) out.md5OfMessageAttributes = m.md5OfAttributes;
  if (m.groupId !== null) out.groupId = m.groupId;
  if (queue.settings.fifo) {
    if (m.deduplicationId !== null) out.deduplicationId = m.deduplicationId;
    out.sequenceNumber = formatSequenceNumber(m.position);
  }
  if (m.deadLetterSourceArn !== null) out.deadLetterQueueSourceArn = m.deadLetterSourceArn;
  if (m.traceHeader !== null) out.traceHeader = m.traceHeader;
  return out;
}
