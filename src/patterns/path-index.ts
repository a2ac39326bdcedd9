/**
 * The value index of one event path: every anchored matcher of every rule that names the path,
 * filed so a leaf finds the matchers it may satisfy without looking at the others — hash maps for
 * literals (and `=`), tries for prefixes and suffixes, an interval tree for ranges, per-mask maps
 * for CIDR blocks, grams for infix wildcards. Hits are candidates; verification decides.
 */
import { CharTrie, removeItem } from './char-trie.js';
import { CidrIndex } from './cidr-index.js';
import { foldCase } from './fold.js';
import { GramIndex } from './gram-index.js';
import { IntervalIndex } from './interval-index.js';
import type { JsonLeaf, Matcher } from './types.js';
import type { Wildcard } from './wildcard.js';

type Emit<T> = (item: T) => void;

function put<K, T>(map: Map<K, T[]>, key: K, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function take<K, T>(map: Map<K, T[]> | null, key: K, item: T): void {
  const list = map?.get(key);
  if (removeItem(list, item) && list!.length === 0) map!.delete(key);
}

function each<T>(list: T[] | null | undefined, emit: Emit<T>): void {
  if (list) for (let i = 0; i < list.length; i++) emit(list[i]!);
}

/** How a wildcard is filed: as a literal, by its head, by its tail, by a gram, or as "any string". */
function wildcardSlot(w: Wildcard): 'exact' | 'head' | 'tail' | 'gram' | 'any' {
  const parts = w.parts;
  if (parts.length === 1) return 'exact';
  if (parts[0] !== '') return 'head';
  if (parts[parts.length - 1] !== '') return 'tail';
  return parts.some((p) => p !== '') ? 'gram' : 'any';
}

/** Literal keys: a matcher that is an exact test of one value (incl. `numeric =` and star-less wildcards). */
function literal(m: Matcher): JsonLeaf | undefined {
  if (m.kind === 'equals') return m.value;
  if (m.kind === 'numeric' && m.range.lo === m.range.hi) return m.range.lo;
  if (m.kind === 'wildcard' && m.wildcard.parts.length === 1) return m.wildcard.parts[0]!;
  return undefined;
}

/** The key a matcher is filed under, as a string naming its kind, for use statistics (null: not keyed). */
function keyOf(m: Matcher): string | null {
  const lit = literal(m);
  if (lit !== undefined) return `=${typeof lit}:${String(lit)}`;
  if (m.kind === 'equals-ignore-case') return `i:${m.value}`;
  if (m.kind === 'prefix' || m.kind === 'suffix')
    return `${m.kind}${m.ignoreCase ? 'i' : ''}:${m.value}`;
  if (m.kind === 'wildcard') return `w:${m.wildcard.text}`;
  return null;
}

/**
 * Whether a leaf that finds `m` in the index is certain to satisfy it: true for every matcher
 * except wildcards filed by head, tail or gram (those hits are only candidates) and presence
 * matchers (anything-but, exists).
 */
export function exactHit(m: Matcher): boolean {
  if (literal(m) !== undefined) return true;
  switch (m.kind) {
    case 'equals-ignore-case':
    case 'prefix':
    case 'suffix':
    case 'numeric':
    case 'cidr':
      return true;
    case 'wildcard':
      return wildcardSlot(m.wildcard) === 'any';
    default:
      return false;
  }
}

/** Anchor costs: lower means fewer false candidates expected. Presence matchers fire on any leaf. */
const PRESENCE_COST = 1_000_000;
const EVERY_STRING_COST = 10_000;

/** Index of one path. `T` is the matcher's posting (a rule's `$or` combination). */
export class PathIndex<T> {
  private strings = new Map<string, T[]>();
  private numbers = new Map<number, T[]>();
  private literals = new Map<'true' | 'false' | 'null', T[]>();
  private folded = new Map<string, T[]>();
  private prefixes = new CharTrie<T>(false);
  private suffixes = new CharTrie<T>(true);
  private foldedPrefixes = new CharTrie<T>(false);
  private foldedSuffixes = new CharTrie<T>(true);
  private ranges = new IntervalIndex<T>();
  private cidrs = new CidrIndex<T>();
  private wildHeads = new CharTrie<T>(false);
  private wildTails = new CharTrie<T>(true);
  private wildGrams = new GramIndex<T>();
  private anyString: T[] = [];
  private anyLeaf: T[] = [];
  private count = 0;
  private needsFold = 0;
  /** What rules ask of this path, anchored here or not: uses per key, and their total. */
  private readonly uses = new Map<string, number>();
  private useCount = 0;

  /** How many matchers are filed here (0: a leaf has nothing to probe). */
  get filed(): number {
    return this.count;
  }

  /** Whether nothing is filed here and no rule's condition names this path's values. */
  get empty(): boolean {
    return this.count === 0 && this.useCount === 0;
  }

  /** Records that a rule's condition uses `m` on this path (+1) or no longer does (-1). */
  note(m: Matcher, delta: 1 | -1): void {
    const key = keyOf(m);
    if (key === null) return;
    const n = (this.uses.get(key) ?? 0) + delta;
    if (n > 0) this.uses.set(key, n);
    else this.uses.delete(key);
    this.useCount += delta;
  }

  /**
   * How many rules use one key of this path, on average: a path where rules ask for few
   * distinct values (`ODD_EVEN`) makes a poor anchor even while its buckets are still small.
   */
  private spread(): number {
    return this.uses.size === 0 ? 0 : this.useCount / this.uses.size;
  }

  /**
   * The items filed under exactly the key `m` would be filed under (for a literal: its value's
   * bucket), or null for matchers filed by range, block or presence.
   */
  bucketOf(m: Matcher): readonly T[] | null {
    const lit = literal(m);
    if (lit !== undefined) {
      if (typeof lit === 'string') return this.strings.get(lit) ?? [];
      if (typeof lit === 'number') return this.numbers.get(lit) ?? [];
      return this.literals.get(lit === null ? 'null' : lit ? 'true' : 'false') ?? [];
    }
    switch (m.kind) {
      case 'equals-ignore-case':
        return this.folded.get(m.value) ?? [];
      case 'prefix':
      case 'suffix':
        return this.affixTrie(m.kind, m.ignoreCase).itemsAt(m.value);
      case 'wildcard': {
        const slot = wildcardSlot(m.wildcard);
        if (slot === 'head') return this.wildHeads.itemsAt(m.wildcard.parts[0]!);
        if (slot === 'tail') return this.wildTails.itemsAt(m.wildcard.parts.at(-1)!);
        if (slot === 'gram') return this.wildGrams.itemsAt(GramIndex.gramFor(m.wildcard.parts));
        return null;
      }
      default:
        return null;
    }
  }

  /** Expected candidates if `m` were filed here now: a base by kind plus the items already sharing its key. */
  cost(m: Matcher): number {
    const shared = Math.max(this.bucketOf(m)?.length ?? 0, this.spread());
    if (literal(m) !== undefined || m.kind === 'equals-ignore-case') return 1 + shared;
    switch (m.kind) {
      case 'prefix':
      case 'suffix':
        if (m.value === '') return EVERY_STRING_COST;
        return 2 + shared + (m.value.length < 3 ? 8 : 0);
      case 'numeric':
      case 'cidr':
        return 16;
      case 'wildcard': {
        const slot = wildcardSlot(m.wildcard);
        if (slot === 'head' || slot === 'tail') return 4 + shared;
        return slot === 'gram' ? 16 + shared : EVERY_STRING_COST;
      }
      default:
        return PRESENCE_COST;
    }
  }

  private affixTrie(kind: 'prefix' | 'suffix', ignoreCase: boolean): CharTrie<T> {
    if (kind === 'prefix') return ignoreCase ? this.foldedPrefixes : this.prefixes;
    return ignoreCase ? this.foldedSuffixes : this.suffixes;
  }

  /** Files `item` under matcher `m`. */
  add(m: Matcher, item: T): void {
    this.file(m, item, true);
    this.count++;
  }

  /** Takes `item` filed under `m` out again. */
  remove(m: Matcher, item: T): void {
    this.file(m, item, false);
    this.count--;
  }

  private file(m: Matcher, item: T, adding: boolean): void {
    const lit = literal(m);
    if (lit !== undefined) {
      if (typeof lit === 'string') (adding ? put : take)(this.strings, lit, item);
      else if (typeof lit === 'number') (adding ? put : take)(this.numbers, lit, item);
      else
        (adding ? put : take)(this.literals, lit === null ? 'null' : lit ? 'true' : 'false', item);
      return;
    }
    switch (m.kind) {
      case 'equals-ignore-case':
        this.needsFold += adding ? 1 : -1;
        return (adding ? put : take)(this.folded, m.value, item);
      case 'prefix':
      case 'suffix': {
        if (m.ignoreCase) this.needsFold += adding ? 1 : -1;
        const trie = this.affixTrie(m.kind, m.ignoreCase);
        return adding ? trie.add(m.value, item) : trie.remove(m.value, item);
      }
      case 'numeric':
        return adding ? this.ranges.add(m.range, item) : this.ranges.remove(m.range, item);
      case 'cidr':
        return adding ? this.cidrs.add(m.cidr, item) : this.cidrs.remove(m.cidr, item);
      case 'wildcard':
        return this.fileWildcard(m.wildcard, item, adding);
      default:
        // anything-but and exists:true: any leaf is a candidate.
        if (adding) this.anyLeaf.push(item);
        else removeItem(this.anyLeaf, item);
    }
  }

  private fileWildcard(w: Wildcard, item: T, adding: boolean): void {
    switch (wildcardSlot(w)) {
      case 'head':
        return adding
          ? this.wildHeads.add(w.parts[0]!, item)
          : this.wildHeads.remove(w.parts[0]!, item);
      case 'tail':
        return adding
          ? this.wildTails.add(w.parts.at(-1)!, item)
          : this.wildTails.remove(w.parts.at(-1)!, item);
      case 'gram': {
        const gram = GramIndex.gramFor(w.parts);
        return adding ? this.wildGrams.add(gram, item) : this.wildGrams.remove(gram, item);
      }
      default:
        if (adding) this.anyString.push(item);
        else removeItem(this.anyString, item);
    }
  }

  /** Calls `emit` for every item whose anchored matcher `leaf` may satisfy. */
  probe(leaf: JsonLeaf, emit: Emit<T>): void {
    if (this.anyLeaf.length > 0) each(this.anyLeaf, emit);
    if (typeof leaf === 'string') {
      if (this.strings.size > 0) each(this.strings.get(leaf), emit);
      if (this.prefixes.size > 0) this.prefixes.visit(leaf, emit);
      if (this.suffixes.size > 0) this.suffixes.visit(leaf, emit);
      if (this.needsFold > 0) {
        const f = foldCase(leaf);
        each(this.folded.get(f), emit);
        if (this.foldedPrefixes.size > 0) this.foldedPrefixes.visit(f, emit);
        if (this.foldedSuffixes.size > 0) this.foldedSuffixes.visit(f, emit);
      }
      if (this.wildHeads.size > 0) this.wildHeads.visit(leaf, emit);
      if (this.wildTails.size > 0) this.wildTails.visit(leaf, emit);
      if (this.wildGrams.size > 0) this.wildGrams.visit(leaf, emit);
      if (this.anyString.length > 0) each(this.anyString, emit);
      if (this.cidrs.size > 0) this.cidrs.visit(leaf, emit);
    } else if (typeof leaf === 'number') {
      if (this.numbers.size > 0) each(this.numbers.get(leaf), emit);
      if (this.ranges.size > 0) this.ranges.visit(leaf, emit);
    } else if (this.literals.size > 0) {
      each(this.literals.get(leaf === null ? 'null' : leaf ? 'true' : 'false'), emit);
    }
  }
}
