/**
 * Wildcards with no literal head or tail (`*foo*bar*`), indexed by one short substring ("gram",
 * up to 5 characters) of their longest piece. A value is looked up by each of its own grams of
 * the lengths in use: at most 5 probes per character, however many wildcards are stored. Hits
 * are candidates only; the wildcard itself is checked afterwards.
 */
import { removeItem } from './char-trie.js';

const Q = 5;

/** Grams → items. */
export class GramIndex<T> {
  private readonly grams = new Map<string, T[]>();
  /** How many stored grams have each length 1..Q (index = length). */
  private readonly lengths = new Array<number>(Q + 1).fill(0);

  get size(): number {
    return this.lengths.reduce((a, b) => a + b, 0);
  }

  /** The gram a wildcard is filed under: the first `Q` characters of its longest piece (deterministic, so removal finds it). */
  static gramFor(pieces: readonly string[]): string {
    const longest = pieces.reduce((a, b) => (b.length > a.length ? b : a), '');
    return longest.slice(0, Q);
  }

  /** The items filed under `gram`. */
  itemsAt(gram: string): readonly T[] {
    return this.grams.get(gram) ?? [];
  }

  add(gram: string, item: T): void {
    const list = this.grams.get(gram);
    if (list) list.push(item);
    else this.grams.set(gram, [item]);
    this.lengths[gram.length]!++;
  }

  remove(gram: string, item: T): void {
    const list = this.grams.get(gram);
    if (!removeItem(list, item)) return;
    this.lengths[gram.length]!--;
    if (list!.length === 0) this.grams.delete(gram);
  }

  /** Calls `emit` for every item whose gram occurs in `value` (an item may come more than once). */
  visit(value: string, emit: (item: T) => void): void {
    for (let q = 1; q <= Q; q++) {
      if (this.lengths[q] === 0) continue;
      for (let i = 0; i + q <= value.length; i++) {
        const list = this.grams.get(value.slice(i, i + q));
        if (list) for (const item of list) emit(item);
      }
    }
  }
}
