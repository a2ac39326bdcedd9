import { createHash } from 'node:crypto';
import { BallastError } from '../core/errors.js';
import type { HealthLayout } from './types.js';

/** The longest endpoint id a layout accepts, in bytes of UTF-8. */
export const MAX_ENDPOINT_ID_BYTES = 128;

// A lone surrogate has no UTF-8 form: two different ids would encode to the same bytes.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The layout of `ids` (kept in order). `version` is the first 4 bytes (big-endian u32) of the
 * SHA-256 of every id as a u32 big-endian byte length followed by its UTF-8 bytes, so the same
 * list always gets the same version. Throws `InvalidParameterValue` naming the first bad index
 * (empty, longer than 128 bytes, not well-formed Unicode, or repeated).
 */
export function layoutOf(ids: readonly string[]): HealthLayout {
  const seen = new Set<string>();
  const sizes = new Uint32Array(ids.length);
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'string' || id.length === 0) throw bad(i, 'must be a non-empty string');
    const size = Buffer.byteLength(id, 'utf8');
    if (size > MAX_ENDPOINT_ID_BYTES)
      throw bad(i, `is ${size} bytes of UTF-8; at most ${MAX_ENDPOINT_ID_BYTES}`);
    if (LONE_SURROGATE.test(id)) throw bad(i, 'is not well-formed Unicode (a lone surrogate)');
    if (seen.has(id)) throw bad(i, `repeats the id ${JSON.stringify(id)}`);
    seen.add(id);
    sizes[i] = size;
    total += 4 + size;
  }
  // Length-prefixing makes the byte string decode to exactly one list, so no separator can be ambiguous.
  const bytes = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < ids.length; i++) {
    offset = bytes.writeUInt32BE(sizes[i]!, offset);
    offset += bytes.write(ids[i]!, offset, 'utf8');
  }
  const version = createHash('sha256').update(bytes).digest().readUInt32BE(0);
  return Object.freeze({ version, ids: Object.freeze([...ids]) });
}

function bad(index: number, problem: string): BallastError {
  return new BallastError('InvalidParameterValue', `endpoint ids[${index}] ${problem}`);
}
