/**
 * A trie of strings by UTF-16 code unit, holding items at the nodes where keys end. Walking a
 * value visits every stored key that is a prefix of it (or, reversed, a suffix) in time
 * proportional to the longest such key — however many keys are stored.
 */

interface TrieNode<T> {
  next: Map<number, TrieNode<T>> | null;
  items: T[] | null;
}

/** Prefix (or, with `reversed`, suffix) index. */
export class CharTrie<T> {
  private readonly root: TrieNode<T> = { next: null, items: null };
  private count = 0;

  constructor(private readonly reversed: boolean) {}

  /** Items stored. */
  get size(): number {
    return this.count;
  }

  private code(key: string, i: number): number {
    return key.charCodeAt(this.reversed ? key.length - 1 - i : i);
  }

  /** Stores `item` under `key`. */
  add(key: string, item: T): void {
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const c = this.code(key, i);
      node.next ??= new Map();
      let child = node.next.get(c);
      if (!child) {
        child = { next: null, items: null };
        node.next.set(c, child);
      }
      node = child;
    }
    (node.items ??= []).push(item);
    this.count++;
  }

  /** Removes one `item` stored under `key`, pruning empty branches. */
  remove(key: string, item: T): void {
    const path: TrieNode<T>[] = [this.root];
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const child = node.next?.get(this.code(key, i));
      if (!child) return;
      path.push(child);
      node = child;
    }
    if (!removeItem(node.items, item)) return;
    this.count--;
    if (node.items!.length === 0) node.items = null;
    for (let i = key.length; i > 0; i--) {
      const n = path[i]!;
      if (n.items || (n.next && n.next.size > 0)) break;
      path[i - 1]!.next!.delete(this.code(key, i - 1));
    }
  }

  /** The items stored exactly at `key` (for choosing and rebalancing anchors). */
  itemsAt(key: string): readonly T[] {
    let node: TrieNode<T> | undefined = this.root;
    for (let i = 0; i < key.length && node; i++) node = node.next?.get(this.code(key, i));
    return node?.items ?? [];
  }

  /** Calls `emit` for every item whose key is a prefix (suffix when reversed) of `value`. */
  visit(value: string, emit: (item: T) => void): void {
    let node: TrieNode<T> | undefined = this.root;
    const n = value.length;
    for (let i = 0; ; i++) {
      const items = node.items;
      if (items) for (let k = 0; k < items.length; k++) emit(items[k]!);
      if (i === n || !node.next) return;
      node = node.next.get(this.reversed ? value.charCodeAt(n - 1 - i) : value.charCodeAt(i));
      if (!node) return;
    }
  }
}

/** Removes one occurrence of `item` from `list` (order not kept); false when absent. */
export function removeItem<T>(list: T[] | null | undefined, item: T): boolean {
  if (!list) return false;
  const i = list.indexOf(item);
  if (i < 0) return false;
  list[i] = list[list.length - 1]!;
  list.pop();
  return true;
}
