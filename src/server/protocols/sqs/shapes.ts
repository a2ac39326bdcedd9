import { check } from '../../../core/errors.js';
import type {
  BatchFailure,
  MessageAttributeValue,
  SendBatchEntry,
  SendResult,
} from '../../../queue/types.js';
import { compact } from '../aws/output.js';
import { optInt, optObjectMap, optString, reqString, type WireObject } from '../aws/input.js';

/*
 * Wire ↔ library conversion for messages. The wire uses PascalCase members and base64 strings
 * for blobs; the library uses camelCase and keeps binary values as base64 strings too.
 */

/** A message attribute value as SQS JSON carries it. */
export interface WireAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One wire attribute value → library form (types checked; SQS rules are the library's). */
export function attributeFromWire(v: WireObject, label: string): MessageAttributeValue {
  const dataType = reqString(v, 'DataType', `${label}.DataType`);
  const stringValue = optString(v, 'StringValue', `${label}.StringValue`);
  const binaryValue = optString(v, 'BinaryValue', `${label}.BinaryValue`);
  for (const list of ['StringListValues', 'BinaryListValues']) {
    const l = v[list];
    check(
      l === undefined || l === null || (Array.isArray(l) && l.length === 0),
      `${label}.${list} is reserved and not supported.`,
    );
  }
  check(
    binaryValue === undefined || BASE64.test(binaryValue),
    `Value for parameter ${label}.BinaryValue is invalid. Reason: must be base64.`,
  );
  const out: MessageAttributeValue = { dataType };
  if (stringValue !== undefined) out.stringValue = stringValue;
  if (binaryValue !== undefined) out.binaryValue = binaryValue;
  return out;
}

/** Library attribute value → wire form. */
export function attributeToWire(v: MessageAttributeValue): WireAttributeValue {
  return compact({ DataType: v.dataType, StringValue: v.stringValue, BinaryValue: v.binaryValue });
}

/** `MessageAttributes` of a send → library attributes (undefined when none). */
export function attributesFromWire(
  o: WireObject,
  label: string,
): Record<string, MessageAttributeValue> | undefined {
  const map = optObjectMap(o, 'MessageAttributes', `${label}MessageAttributes`);
  if (map === undefined) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(map))
    out[name] = attributeFromWire(v, `${label}MessageAttributes.${name}`);
  return out;
}

/** `MessageSystemAttributes` of a send: only `AWSTraceHeader` (a String) may be sent. */
export function traceHeaderFromWire(o: WireObject, label: string): string | undefined {
  const sys = optObjectMap(o, 'MessageSystemAttributes', `${label}MessageSystemAttributes`);
  if (sys === undefined) return undefined;
  for (const name of Object.keys(sys)) {
    check(
      name === 'AWSTraceHeader',
      `Message system attribute name '${name}' is invalid; only AWSTraceHeader can be sent.`,
      'InvalidParameterValue',
    );
  }
  const v = sys.AWSTraceHeader;
  if (v === undefined) return undefined;
  const a = attributeFromWire(v, `${label}MessageSystemAttributes.AWSTraceHeader`);
  check(
    a.dataType === 'String' && a.stringValue !== undefined && a.stringValue !== '',
    'AWSTraceHeader must be a non-empty String.',
  );
  return a.stringValue;
}

/** One SendMessage request (or batch entry) → library send entry. `label` prefixes member names in errors. */
export function sendEntryFromWire(o: WireObject, label = ''): SendBatchEntry {
  const entry: SendBatchEntry = { body: reqString(o, 'MessageBody', `${label}MessageBody`) };
  const delaySeconds = optInt(o, 'DelaySeconds', `${label}DelaySeconds`);
  const groupId = optString(o, 'MessageGroupId', `${label}MessageGroupId`);
  const deduplicationId = optString(o, 'MessageDeduplicationId', `${label}MessageDeduplicationId`);
  const attributes = attributesFromWire(o, label);
  const traceHeader = traceHeaderFromWire(o, label);
  if (delaySeconds !== undefined) entry.delaySeconds = delaySeconds;
  if (groupId !== undefined) entry.groupId = groupId;
  if (deduplicationId !== undefined) entry.deduplicationId = deduplicationId;
  if (attributes !== undefined) entry.attributes = attributes;
  if (traceHeader !== undefined) entry.traceHeader = traceHeader;
  return entry;
}

/** A send result → SendMessage response members. */
export function sendResultToWire(r: SendResult): Record<string, string> {
  return compact({
    MessageId: r.messageId,
    MD5OfMessageBody: r.md5OfMessageBody,
    MD5OfMessageAttributes: r.md5OfMessageAttributes,
    MD5OfMessageSystemAttributes: r.md5OfMessageSystemAttributes,
    SequenceNumber: r.sequenceNumber,
  }) as Record<string, string>;
}

/** A failed batch entry → `BatchResultErrorEntry`. */
export function failureToWire(f: BatchFailure): {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
} {
  return { Id: f.id, SenderFault: f.senderFault, Code: f.code, Message: f.message };
}

/** `Entries[i].` — the label batch entry errors use. */
export const entryLabel = (i: number): string => `Entries.${i + 1}.`;
