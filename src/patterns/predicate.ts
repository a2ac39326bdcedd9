/**
 * One condition compiled into a test of a single leaf. Both the direct evaluator
 * (`testEventPattern`, `explainEventPattern`) and the compiled matcher's verification use it,
 * so the two agree by construction on what a leaf satisfies.
 */
import { excludedBy } from './anything-but.js';
import { inCidr, parseIp, type CidrBlock } from './cidr.js';
import { foldCase } from './fold.js';
import { inRange, type NumericRange } from './numeric.js';
import type { AnythingBut, Condition, JsonLeaf } from './types.js';
import { matchWildcard, type Wildcard } from './wildcard.js';

/** A condition ready to test leaves. */
export class LeafTest {
  /** `exists:false` is among the matchers: no leaf at all also satisfies the condition. */
  readonly allowsAbsence: boolean;
  private anyLeaf = false;
  private readonly strings = new Set<string>();
  private readonly numbers = new Set<number>();
  private readonly folded = new Set<string>();
  private literalTrue = false;
  private literalFalse = false;
  private literalNull = false;
  private readonly prefixes: string[] = [];
  private readonly suffixes: string[] = [];
  private readonly foldedPrefixes: string[] = [];
  private readonly foldedSuffixes: string[] = [];
  private readonly wildcards: Wildcard[] = [];
  private readonly ranges: NumericRange[] = [];
  private readonly cidrs: CidrBlock[] = [];
  private readonly buts: AnythingBut[] = [];
  private readonly needsFold: boolean;
  /** How many string operators there are besides exact strings (0: skip them at once). */
  private readonly stringOpsCount: number;
  /** Set when the condition is one literal string or number: a comparison, no set lookup. */
  private readonly only: string | number | undefined;

  constructor(readonly condition: Condition) {
    let absence = false;
    for (const m of condition.matchers) {
      switch (m.kind) {
        case 'equals':
          if (typeof m.value === 'string') this.strings.add(m.value);
          else if (typeof m.value === 'number') this.numbers.add(m.value);
          else if (m.value === null) this.literalNull = true;
          else if (m.value) this.literalTrue = true;
          else this.literalFalse = true;
          break;
        case 'equals-ignore-case':
          this.folded.add(m.value);
          break;
        case 'prefix':
          (m.ignoreCase ? this.foldedPrefixes : this.prefixes).push(m.value);
          break;
        case 'suffix':
          (m.ignoreCase ? this.foldedSuffixes : this.suffixes).push(m.value);
          break;
        case 'wildcard':
          this.wildcards.push(m.wildcard);
          break;
        case 'numeric':
          this.ranges.push(m.range);
          break;
        case 'cidr':
          this.cidrs.push(m.cidr);
          break;
        case 'anything-but':
          this.buts.push(m.but);
          break;
        case 'exists':
          if (m.exists) this.anyLeaf = true;
          else absence = true;
          break;
      }
    }
    this.allowsAbsence = absence;
    this.needsFold = this.folded.size + this.foldedPrefixes.length + this.foldedSuffixes.length > 0;
    const single = condition.matchers.length === 1 ? condition.matchers[0]! : undefined;
    this.only =
      single?.kind === 'equals' &&
      (typeof single.value === 'string' || typeof single.value === 'number')
        ? single.value
        : undefined;
    this.stringOpsCount =
      this.prefixes.length +
      this.suffixes.length +
      this.wildcards.length +
      this.cidrs.length +
      (this.needsFold ? 1 : 0);
  }

  /** Whether `leaf` satisfies one of the condition's matchers (absence aside). */
  test(leaf: JsonLeaf): boolean {
    // 300 and 300.0 are one number in JavaScript, so === is numeric equality here too.
    if (this.only !== undefined) return leaf === this.only;
    if (this.anyLeaf) return true;
    if (typeof leaf === 'string') {
      if (this.strings.has(leaf) || (this.stringOpsCount > 0 && this.stringOps(leaf))) return true;
    } else if (typeof leaf === 'number') {
      if (this.numbers.has(leaf)) return true;
      const ranges = this.ranges;
      for (let i = 0; i < ranges.length; i++) if (inRange(ranges[i]!, leaf)) return true;
    } else if (leaf === null) {
      if (this.literalNull) return true;
    } else if (leaf ? this.literalTrue : this.literalFalse) {
      return true;
    }
    const buts = this.buts;
    for (let i = 0; i < buts.length; i++) if (!excludedBy(buts[i]!, leaf)) return true;
    return false;
  }

  private stringOps(s: string): boolean {
    for (const p of this.prefixes) if (s.startsWith(p)) return true;
    for (const x of this.suffixes) if (s.endsWith(x)) return true;
    for (const w of this.wildcards) if (matchWildcard(w, s)) return true;
    if (this.needsFold) {
      const f = foldCase(s);
      if (this.folded.has(f)) return true;
      for (const p of this.foldedPrefixes) if (f.startsWith(p)) return true;
      for (const x of this.foldedSuffixes) if (f.endsWith(x)) return true;
    }
    if (this.cidrs.length > 0) {
      const ip = parseIp(s);
      if (ip) for (const c of this.cidrs) if (inCidr(c, ip)) return true;
    }
    return false;
  }
}
