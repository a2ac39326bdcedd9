import { BallastError, check } from '../core/errors.js';
import type { QueueLimits } from '../core/limits.js';
import type { MessageAttributeValue } from '../store/contract.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]+$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
// FIFO ids: alphanumerics and ASCII punctuation (reference/sqs.md §3).
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
// Characters SQS accepts in a body: #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF.
// eslint-disable-next-line no-control-regex -- the control characters are the point of this check
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,256})?$/;

/** Validates a queue name: 1–80 chars of `[A-Za-z0-9_-]`, plus `.fifo` for FIFO queues (counted). */
export function validateQueueName(
  name: unknown,
  fifo: boolean,
  limits: QueueLimits,
): asserts name is string {
  check(typeof name === 'string' && name.length > 0, 'QueueName is required', 'MissingParameter');
  check(
    name.length <= limits.maxQueueNameLength,
    `Queue name is longer than ${limits.maxQueueNameLength} characters`,
  );
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  check(
    QUEUE_NAME.test(base),
    'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
  );
  if (fifo)
    check(
      name.endsWith('.fifo'),
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix',
    );
  else
    check(
      !name.endsWith('.fifo'),
      'A queue whose name ends with .fifo must be created with FifoQueue=true',
      'InvalidParameterValue',
    );
}

/** Validates a message body's characters. */
export function validateBody(body: unknown): asserts body is string {
  check(typeof body === 'string', 'MessageBody is required', 'MissingParameter');
  check(body.length > 0, 'The request must contain the parameter MessageBody.', 'MissingParameter');
  check(
    !INVALID_BODY_CHAR.test(body),
    'Invalid binary character in message body. Only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.',
    'InvalidMessageContents',
  );
}

/** Validates a FIFO group, deduplication or receive-attempt id. */
export function validateFifoId(value: unknown, field: string): asserts value is string {
  check(
    typeof value === 'string' && FIFO_ID.test(value),
    `Value ${String(value)} for parameter ${field} is invalid. Reason: must be 1-128 alphanumeric or punctuation characters.`,
  );
}

/** Validates a batch entry id and that ids are distinct. */
export function validateBatchIds(ids: readonly unknown[], limits: QueueLimits): void {
  if (ids.length === 0)
    throw new BallastError(
      'EmptyBatchRequest',
      'There should be at least one entry in the request.',
    );
  if (ids.length > limits.maxBatchEntries) {
    throw new BallastError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${limits.maxBatchEntries}. You have sent ${ids.length}.`,
    );
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !BATCH_ID.test(id)) {
      throw new BallastError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
  }
  if (new Set(ids).size !== ids.length) {
    throw new BallastError(
      'BatchEntryIdsNotDistinct',
      'Two or more batch entries in the request have the same Id.',
    );
  }
}

/** Validates message attributes; returns their size in bytes (name + type + value, as SQS counts). */
export function validateMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
  limits: QueueLimits,
): number {
  const names = Object.keys(attributes);
  check(
    names.length <= limits.maxMessageAttributes,
    `Number of message attributes [${names.length}] exceeds the allowed maximum [${limits.maxMessageAttributes}].`,
  );
  let size = 0;
  for (const name of names) {
    const v = attributes[name]!;
    check(
      name.length <= 256 &&
        ATTRIBUTE_NAME.test(name) &&
        !name.startsWith('.') &&
        !name.endsWith('.') &&
        !name.includes('..') &&
        !/^(aws\.|amazon\.)/i.test(name),
      `Message attribute name '${name}' is invalid.`,
    );
    check(typeof v === 'object' && v !== null, `Message attribute '${name}' must have a value.`);
    check(
      typeof v.dataType === 'string' && DATA_TYPE.test(v.dataType),
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
    const binary = v.dataType.startsWith('Binary');
    if (binary) {
      check(
        typeof v.binaryValue === 'string' && v.stringValue === undefined,
        `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
      );
      size += Buffer.byteLength(v.binaryValue!, 'base64');
    } else {
      check(
        typeof v.stringValue === 'string' &&
          v.stringValue.length > 0 &&
          v.binaryValue === undefined,
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${v.dataType.split('.')[0]}'.`,
      );
      if (v.dataType.startsWith('Number')) {
        check(
          Number.isFinite(Number(v.stringValue)),
          `Can't cast the value of message (user) attribute '${name}' to a number.`,
        );
      }
      check(
        !INVALID_BODY_CHAR.test(v.stringValue!),
        `Message attribute '${name}' contains invalid characters.`,
        'InvalidMessageContents',
      );
      size += Buffer.byteLength(v.stringValue!, 'utf8');
    }
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(v.dataType, 'utf8');
  }
  return size;
}

/** Checks an integer parameter is within [min, max]. */
export function checkRange(value: unknown, field: string, min: number, max: number): number {
  check(
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    `Value ${String(value)} for parameter ${field} is invalid. Reason: must be an integer between ${min} and ${max}.`,
  );
  return value;
}
