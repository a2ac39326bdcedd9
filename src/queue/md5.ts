import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '../store/contract.js';

/** Hex MD5 of a string's UTF-8 bytes (SQS `MD5OfMessageBody`). */
export const md5Hex = (text: string): string =>
  createHash('md5').update(text, 'utf8').digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/**
 * `MD5OfMessageAttributes` as SQS computes it: names sorted; for each, the length-prefixed name,
 * data type, a transport byte (1 string/number, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const v = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(v.dataType, 'utf8')));
    if (v.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(v.binaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(v.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
