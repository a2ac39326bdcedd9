import { BallastError } from '../../../../core/errors.js';
import { md5OfAttributes } from '../../../../queue/md5.js';
import type { MessageAttributeValue, ReceivedMessage } from '../../../../queue/types.js';
import { compact } from '../../aws/output.js';
import type { SqsOperation } from '../context.js';
import { optInt, optString, optStringList } from '../../aws/input.js';
import { attributeToWire, type WireAttributeValue } from '../shapes.js';

/** ReceiveMessage: long polling, system attribute selection and message attribute filtering. */

/** Message system attributes a receive can ask for (besides `All`). */
export const MESSAGE_SYSTEM_ATTRIBUTE_NAMES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;
type SystemName = (typeof MESSAGE_SYSTEM_ATTRIBUTE_NAMES)[number];
const KNOWN = new Set<string>(MESSAGE_SYSTEM_ATTRIBUTE_NAMES);

/**
 * The system attributes requested. `MessageSystemAttributeNames` rejects unknown names; the
 * deprecated `AttributeNames` is typed as queue attribute names by the SDKs, so others are ignored.
 */
function systemNames(modern: string[] | undefined, legacy: string[] | undefined): Set<SystemName> {
  for (const n of modern ?? []) {
    if (n !== 'All' && !KNOWN.has(n))
      throw new BallastError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  }
  const all = [...(modern ?? []), ...(legacy ?? [])];
  if (all.includes('All')) return new Set(MESSAGE_SYSTEM_ATTRIBUTE_NAMES);
  return new Set(all.filter((n): n is SystemName => KNOWN.has(n)));
}

/** `MessageAttributeNames`: `All`, `.*`, exact names, or prefixes such as `foo.*`. */
function attributeFilter(names: readonly string[]): (name: string) => boolean {
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith('.*')));
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
}

function systemValue(m: ReceivedMessage, name: SystemName, senderId: string): string | undefined {
  switch (name) {
    case 'ApproximateReceiveCount':
      return String(m.receiveCount);
    case 'ApproximateFirstReceiveTimestamp':
      return String(m.firstReceiveTimestamp);
    case 'SentTimestamp':
      return String(m.sentTimestamp);
    case 'SenderId':
      return senderId;
    case 'SequenceNumber':
      return m.sequenceNumber;
    case 'MessageDeduplicationId':
      return m.deduplicationId;
    case 'MessageGroupId':
      return m.groupId;
    case 'AWSTraceHeader':
      return m.traceHeader;
    case 'DeadLetterQueueSourceArn':
      return m.deadLetterQueueSourceArn;
  }
}

function messageToWire(
  m: ReceivedMessage,
  system: ReadonlySet<SystemName>,
  wanted: (n: string) => boolean,
  senderId: string,
) {
  const attributes: Record<string, string> = {};
  for (const name of system) {
    const v = systemValue(m, name, senderId);
    if (v !== undefined) attributes[name] = v;
  }
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(m.messageAttributes)) if (wanted(name)) selected[name] = v;
  const hasAttributes = Object.keys(selected).length > 0;
  const wireAttributes: Record<string, WireAttributeValue> = {};
  for (const [name, v] of Object.entries(selected)) wireAttributes[name] = attributeToWire(v);
  return compact({
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    Attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    // The MD5 covers exactly the attributes returned, so clients can check the subset.
    MD5OfMessageAttributes: hasAttributes ? md5OfAttributes(selected) : undefined,
    MessageAttributes: hasAttributes ? wireAttributes : undefined,
  });
}

const receiveMessage: SqsOperation = async (input, ctx) => {
  const queue = await ctx.ballast.queues.get(ctx.queueName(input));
  const system = systemNames(
    optStringList(input, 'MessageSystemAttributeNames'),
    optStringList(input, 'AttributeNames'),
  );
  const wanted = attributeFilter(optStringList(input, 'MessageAttributeNames') ?? []);
  const maxMessages = optInt(input, 'MaxNumberOfMessages');
  const visibilityTimeout = optInt(input, 'VisibilityTimeout');
  const waitTimeSeconds = optInt(input, 'WaitTimeSeconds');
  const receiveRequestAttemptId = optString(input, 'ReceiveRequestAttemptId');
  const messages = await queue.receive({
    ...compact({ maxMessages, visibilityTimeout, waitTimeSeconds, receiveRequestAttemptId }),
    signal: ctx.signal,
  });
  if (messages.length === 0) return {};
  return { Messages: messages.map((m) => messageToWire(m, system, wanted, ctx.accountId)) };
};

/** Operations of this group by name. */
export const RECEIVE_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  ReceiveMessage: receiveMessage,
};
