/**
 * `wildcard` matching: `*` is any run of characters (possibly empty), `\*` a literal star, `\\` a
 * literal backslash. Matching runs in time linear in value plus pattern: the first and last
 * literal pieces are anchored, the middle ones found left to right with KMP (the leftmost place
 * of each piece is always a safe choice), so no input can make it backtrack.
 */
import { invalid, type PatternStep } from './invalid.js';

/** A parsed wildcard: the literal pieces between stars. */
export interface Wildcard {
  /** The wildcard as written. */
  readonly text: string;
  /** Literal pieces: `"a*b*"` → `["a", "b", ""]`; no star → one piece. */
  readonly parts: readonly string[];
  /** The most pattern positions active at once while matching (the limit applies to it). */
  readonly complexity: number;
  /** KMP failure tables of the middle pieces (index i belongs to parts[i]). */
  readonly failures: readonly (Int32Array | null)[];
}

const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

function pieces(text: string, at: readonly PatternStep[]): string[] {
  const parts: string[] = [];
  let current = '';
  let lastStar = -2;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') invalid(`Invalid escape character at pos ${i}`, at);
      current += next;
      i++;
    } else if (c === '*') {
      if (lastStar === i - 1) invalid(`Consecutive wildcard characters at pos ${i}`, at);
      lastStar = i;
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

interface AcNode {
  next: Map<number, AcNode>;
  own: number;
  fail: AcNode | null;
  total: number;
}

/**
 * The largest number of prefixes of the pieces after stars that can be suffixes of one input
 * at once (proper prefixes; the last piece's full length too, as that is the end state).
 * Aho–Corasick over the pieces: a node's count is its own plus its failure node's.
 */
function overlapping(parts: readonly string[]): number {
  const root: AcNode = { next: new Map(), own: 0, fail: null, total: 0 };
  for (let p = 1; p < parts.length; p++) {
    const piece = parts[p]!;
    const countable = p === parts.length - 1 ? piece.length : piece.length - 1;
    let node = root;
    for (let i = 0; i < piece.length; i++) {
      const code = piece.charCodeAt(i);
      let child = node.next.get(code);
      if (!child) {
        child = { next: new Map(), own: 0, fail: null, total: 0 };
        node.next.set(code, child);
      }
      node = child;
      if (i < countable) node.own++;
    }
  }
  let best = 0;
  const queue: AcNode[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    child.total = child.own;
    queue.push(child);
  }
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    best = Math.max(best, node.total);
    for (const [code, child] of node.next) {
      let f = node.fail;
      while (f && !f.next.has(code)) f = f.fail;
      child.fail = f ? f.next.get(code)! : root;
      child.total = child.own + child.fail.total;
      queue.push(child);
    }
  }
  return best;
}

/** See `Wildcard.complexity`: stars, the position after each, the end state, and overlaps. */
function complexityOf(parts: readonly string[], limit: number): number {
  const stars = parts.length - 1;
  if (stars === 0) return 1;
  let fixed = stars;
  for (let p = 1; p < parts.length; p++) if (parts[p] !== '') fixed++;
  if (parts[stars] === '') fixed++;
  // Every star adds at least one position: past the limit there is no need to look closer.
  if (fixed > limit) return fixed;
  return fixed + overlapping(parts);
}

function failureTable(piece: string): Int32Array {
  const fail = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i++) {
    while (k > 0 && piece.charCodeAt(i) !== piece.charCodeAt(k)) k = fail[k - 1]!;
    if (piece.charCodeAt(i) === piece.charCodeAt(k)) k++;
    fail[i] = k;
  }
  return fail;
}

/** Parses the value of `{"wildcard": …}` at `at`; rejects it above `maxComplexity`. */
export function parseWildcard(
  value: unknown,
  at: readonly PatternStep[],
  maxComplexity: number,
): Wildcard {
  if (typeof value !== 'string') invalid('wildcard match pattern must be a string', at);
  const parts = pieces(value, at);
  const complexity = complexityOf(parts, maxComplexity);
  if (complexity > maxComplexity) invalid(TOO_COMPLEX, at);
  const failures = parts.map((p, i) =>
    i > 0 && i < parts.length - 1 && p.length > 0 ? failureTable(p) : null,
  );
  return { text: value, parts, complexity, failures };
}

/** First index ≥ from where `piece` occurs wholly before `end`, or -1 (KMP). */
function find(value: string, piece: string, fail: Int32Array, from: number, end: number): number {
  let k = 0;
  for (let i = from; i < end; i++) {
    const c = value.charCodeAt(i);
    while (k > 0 && c !== piece.charCodeAt(k)) k = fail[k - 1]!;
    if (c === piece.charCodeAt(k)) k++;
    if (k === piece.length) return i - k + 1;
  }
  return -1;
}

/** Whether `value` matches the wildcard, in O(|value| + |pattern|). */
export function matchWildcard(w: Wildcard, value: string): boolean {
  const parts = w.parts;
  const last = parts.length - 1;
  if (last === 0) return value === parts[0];
  const head = parts[0]!;
  const tail = parts[last]!;
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail))
    return false;
  let pos = head.length;
  const end = value.length - tail.length;
  for (let p = 1; p < last; p++) {
    const piece = parts[p]!;
    const fail = w.failures[p];
    if (!fail) continue;
    const at = find(value, piece, fail, pos, end);
    if (at < 0) return false;
    pos = at + piece.length;
  }
  return true;
}
