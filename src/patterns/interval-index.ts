/**
 * Numeric ranges by stabbing query: which stored ranges contain x? A centred interval tree,
 * O(log n + answers) per query. It is rebuilt lazily, for this path only, on the first query
 * after ranges were added or removed.
 */
import { removeItem } from './char-trie.js';
import { inRange, type NumericRange } from './numeric.js';

interface Entry<T> {
  readonly range: NumericRange;
  readonly item: T;
}

interface TreeNode<T> {
  readonly center: number;
  /** Ranges containing `center`, by lower bound ascending (inclusive first on ties). */
  readonly byLo: Entry<T>[];
  /** The same, by upper bound descending (inclusive first on ties). */
  readonly byHi: Entry<T>[];
  readonly left: TreeNode<T> | null;
  readonly right: TreeNode<T> | null;
}

function build<T>(entries: Entry<T>[]): TreeNode<T> | null {
  if (entries.length === 0) return null;
  const points: number[] = [];
  for (const e of entries) points.push(Number.isFinite(e.range.lo) ? e.range.lo : e.range.hi);
  points.sort((a, b) => a - b);
  const center = points[points.length >> 1]!;
  const here: Entry<T>[] = [];
  const left: Entry<T>[] = [];
  const right: Entry<T>[] = [];
  for (const e of entries) {
    if (e.range.hi < center) left.push(e);
    else if (e.range.lo > center) right.push(e);
    else here.push(e);
  }
  const byLo = [...here].sort(
    (a, b) => a.range.lo - b.range.lo || Number(b.range.loInclusive) - Number(a.range.loInclusive),
  );
  const byHi = [...here].sort(
    (a, b) => b.range.hi - a.range.hi || Number(b.range.hiInclusive) - Number(a.range.hiInclusive),
  );
  return { center, byLo, byHi, left: build(left), right: build(right) };
}

/** Ranges → items, answering "which contain x". */
export class IntervalIndex<T> {
  private readonly entries: Entry<T>[] = [];
  private tree: TreeNode<T> | null = null;
  private dirty = false;

  /** Ranges stored. */
  get size(): number {
    return this.entries.length;
  }

  add(range: NumericRange, item: T): void {
    this.entries.push({ range, item });
    this.dirty = true;
  }

  remove(range: NumericRange, item: T): void {
    const found = this.entries.find((e) => e.item === item && e.range === range);
    if (removeItem(this.entries, found)) this.dirty = true;
  }

  /** Calls `emit` for the item of every range containing `x`. */
  visit(x: number, emit: (item: T) => void): void {
    if (this.dirty) {
      this.tree = build(this.entries);
      this.dirty = false;
    }
    let node = this.tree;
    while (node) {
      if (x < node.center) {
        // Every range here reaches the centre, so only its lower bound can fail.
        for (const e of node.byLo) {
          if (e.range.lo > x || (e.range.lo === x && !e.range.loInclusive)) break;
          emit(e.item);
        }
        node = node.left;
      } else if (x > node.center) {
        for (const e of node.byHi) {
          if (e.range.hi < x || (e.range.hi === x && !e.range.hiInclusive)) break;
          emit(e.item);
        }
        node = node.right;
      } else {
        for (const e of node.byLo) if (inRange(e.range, x)) emit(e.item);
        return;
      }
    }
  }
}
