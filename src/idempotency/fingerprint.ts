import { createHash } from 'node:crypto';

/** Canonical JSON: object keys sorted at every level, so `{a,b}` and `{b,a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * SHA-256 (hex) of the canonical form of `input`; with `fields`, only those top-level fields
 * count (others may differ between retries, e.g. a client timestamp).
 */
export function fingerprintOf(input: unknown, fields?: readonly string[]): string {
  let selected = input;
  if (fields && typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const src = input as Record<string, unknown>;
    selected = Object.fromEntries(fields.filter((f) => f in src).map((f) => [f, src[f]]));
  }
  return createHash('sha256').update(canonicalJson(selected)).digest('hex');
}
