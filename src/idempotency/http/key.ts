/** What the `Idempotency-Key` header held: a key, nothing, or something unusable (and why). */
export type KeyHeader = { key: string } | { missing: true } | { invalid: string };

/**
 * Reads `Idempotency-Key` as the IETF draft defines it: a structured-field string (quoted, `\\`
 * escaping `"` and `\\`); a bare token is accepted too. 1–255 printable ASCII characters.
 */
export function readIdempotencyKey(value: string | string[] | undefined): KeyHeader {
  if (value === undefined) return { missing: true };
  if (Array.isArray(value))
    return value.length === 1
      ? readIdempotencyKey(value[0])
      : { invalid: 'Idempotency-Key must be sent once' };
  let text = value.trim();
  if (text.startsWith('"')) {
    if (text.length < 2 || !text.endsWith('"'))
      return { invalid: 'Idempotency-Key is not a valid structured-field string' };
    const inner = text.slice(1, -1);
    if (/(^|[^\\])(\\\\)*\\(?!["\\])/.test(inner) || /(^|[^\\])(\\\\)*"/.test(inner))
      return { invalid: 'Idempotency-Key has a bad escape' };
    text = inner.replace(/\\(["\\])/g, '$1');
  }
  if (text.length === 0) return { invalid: 'Idempotency-Key is empty' };
  if (text.length > 255) return { invalid: 'Idempotency-Key is longer than 255 characters' };
  if (!/^[\x20-\x7e]+$/.test(text)) return { invalid: 'Idempotency-Key must be printable ASCII' };
  return { key: text };
}
