/**
 * CIDR blocks by address: one map of network → items per mask length in use, so a lookup costs
 * one masking and one map probe per distinct mask length (at most 33 for IPv4, 129 for IPv6).
 */
import { removeItem } from './char-trie.js';
import { type CidrBlock, type IpWords, networkKey, parseIp } from './cidr.js';

/** Blocks → items, answering "which blocks hold this address". */
export class CidrIndex<T> {
  private readonly byBits = new Map<string, Map<string | number, T[]>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Family key → [version, mask bits], parsed once. */
  private readonly families = new Map<string, [number, number]>();

  private family(version: 4 | 6, bits: number): string {
    const key = `${version}/${bits}`;
    if (!this.families.has(key)) this.families.set(key, [version, bits]);
    return key;
  }

  add(block: CidrBlock, item: T): void {
    const fam = this.family(block.version, block.bits);
    let nets = this.byBits.get(fam);
    if (!nets) this.byBits.set(fam, (nets = new Map()));
    const list = nets.get(block.network);
    if (list) list.push(item);
    else nets.set(block.network, [item]);
    this.count++;
  }

  remove(block: CidrBlock, item: T): void {
    const fam = this.family(block.version, block.bits);
    const nets = this.byBits.get(fam);
    const list = nets?.get(block.network);
    if (!removeItem(list, item)) return;
    this.count--;
    if (list!.length === 0) nets!.delete(block.network);
    if (nets!.size === 0) this.byBits.delete(fam);
  }

  /** Calls `emit` for every block containing the address written in `text`. */
  visit(text: string, emit: (item: T) => void): void {
    const words: IpWords | null = parseIp(text);
    if (!words) return;
    const version = words.length === 2 ? 4 : 6;
    for (const [fam, nets] of this.byBits) {
      const [v, bits] = this.families.get(fam)!;
      if (v !== version) continue;
      const list = nets.get(networkKey(words, bits));
      if (list) for (const item of list) emit(item);
    }
  }
}
