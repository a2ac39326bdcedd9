/**
 * `PatternMatcher`: all rules of a bus compiled into one structure whose cost per event does not
 * grow with the number of rules. Each `$or` combination of each rule is filed under one
 * "anchor" condition in the value index of the anchor's path; an event is walked once along the
 * trie of named paths, each leaf probes its path's index, and only the combinations found that
 * way (the candidates) are verified, condition by condition, with array consistency.
 */
import { BallastError } from '../core/errors.js';
import { type Explanation, explainEventPattern } from './explain.js';
import { type PatternLimits, resolvePatternLimits } from './limits.js';
import { type ParsedPattern, validateEventPattern } from './parse.js';
import { exactHit, PathIndex } from './path-index.js';
import { LeafTest } from './predicate.js';
import type { Condition, JsonLeaf, Matcher } from './types.js';
import { type Check, holdsTogether } from './verify.js';
import { EventWalker, type PathNode, PathTrie, readEvent } from './walk.js';

interface Rule {
  readonly id: string;
  readonly seq: number;
  readonly pattern: ParsedPattern;
  readonly entries: Entry[];
  /** Trie node of each distinct condition (acquired once each). */
  readonly nodes: Map<Condition, Node>;
  /** Walk that last matched this rule. */
  stamp: number;
}

/** One `$or` combination of one rule: the posting the value indexes hold. */
interface Entry {
  readonly rule: Rule;
  readonly conditions: readonly Condition[];
  readonly checks: readonly Check[];
  /** The trie node of each condition. */
  readonly nodeOf: (c: Condition) => Node;
  /** The condition it is filed under (null: a candidate for every event). */
  anchor: Condition | null;
  /** Where the entry is filed. */
  filed: { readonly index: PathIndex<Entry>; readonly matcher: Matcher }[];
  /** Its only condition is the anchor and every index hit satisfies it: no verification needed. */
  sole: boolean;
  /** When every index hit satisfies the anchor: the other conditions' checks (else null). */
  rest: readonly Check[] | null;
  /** Walk that last made this entry a candidate. */
  stamp: number;
}

type Node = PathNode<PathIndex<Entry>>;

/** Options of `PatternMatcher`. */
export interface PatternMatcherOptions {
  /** Limits for every pattern added and every event matched. @defaultValue DEFAULT_PATTERN_LIMITS */
  limits?: Partial<PatternLimits>;
}

class IndexWalker extends EventWalker<PathIndex<Entry>> {
  constructor(
    trie: PathTrie<PathIndex<Entry>>,
    maxDepth: number,
    private readonly emit: (e: Entry) => void,
  ) {
    super(trie, maxDepth);
  }

  protected override onLeaf(node: Node, value: JsonLeaf, scope: number): void {
    super.onLeaf(node, value, scope);
    const index = node.data;
    if (index !== null && index.filed > 0) index.probe(value, this.emit);
  }
}

const NO_INDEX = new PathIndex<Entry>();

/** Envelope fields most events of a bus share: a poor anchor whatever their bucket size says. */
const SHARED_ENVELOPE = new Set(['source', 'detail-type', 'account', 'region', 'version']);

/** What filing `c` would cost now (see PathIndex.cost), or Infinity when `c` may hold by absence. */
function anchorCost(c: Condition, node: Node): number {
  if (c.matchers.some((m) => m.kind === 'exists' && !m.exists)) return Infinity;
  let cost = SHARED_ENVELOPE.has(c.path) ? 4 : 0;
  for (const m of c.matchers) cost += (node.data ?? NO_INDEX).cost(m);
  return cost;
}

/** The cheapest condition to file a combination under (deeper paths win ties), or null when every condition may hold by absence. */
function anchorOf(
  conditions: readonly Condition[],
  nodeOf: (c: Condition) => Node,
): { anchor: Condition | null; cost: number } {
  let anchor: Condition | null = null;
  let cost = Infinity;
  for (const c of conditions) {
    const k = anchorCost(c, nodeOf(c));
    if (k < cost || (k === cost && k < Infinity && c.segments.length > anchor!.segments.length)) {
      anchor = c;
      cost = k;
    }
  }
  return { anchor, cost };
}

/** A literal-like bucket past this size has its entries re-anchored where they can do better. */
const REBALANCE_FROM = 4;

/**
 * Rules (id → event pattern) compiled for matching. `add` and `remove` patch the indexes of the
 * paths the rule names; nothing else is rebuilt. Not safe for concurrent use from several
 * threads (one per worker is fine); a `match` runs to completion synchronously.
 */
export class PatternMatcher {
  private readonly limits: Readonly<PatternLimits>;
  private readonly trie = new PathTrie<PathIndex<Entry>>();
  private readonly walker: IndexWalker;
  private readonly rules = new Map<string, Rule>();
  /** Combinations with no anchor (every condition allows absence): candidates for every event. */
  private readonly always: Entry[] = [];
  private readonly candidates: Entry[] = [];
  private seq = 0;
  private readonly totals = { events: 0, candidates: 0, matches: 0 };

  constructor(options: PatternMatcherOptions = {}) {
    this.limits = resolvePatternLimits(options.limits);
    this.walker = new IndexWalker(this.trie, this.limits.maxEventDepth, (e) => {
      if (e.stamp !== this.walker.epoch) {
        e.stamp = this.walker.epoch;
        this.candidates.push(e);
      }
    });
  }

  /** How many rules are loaded. */
  get size(): number {
    return this.rules.size;
  }

  /** Whether a rule with this id is loaded. */
  has(id: string): boolean {
    return this.rules.has(id);
  }

  /**
   * Work done so far: events matched, candidate `$or` combinations verified, rules matched. The
   * cost of an event is its walk plus its candidates; candidates track matches, not rule count.
   */
  get stats(): { readonly events: number; readonly candidates: number; readonly matches: number } {
    return { ...this.totals };
  }

  /** Ids of the loaded rules, in the order they were added. */
  ids(): string[] {
    return [...this.rules.values()].sort((a, b) => a.seq - b.seq).map((r) => r.id);
  }

  /**
   * Adds (or replaces) rule `id`. The pattern is validated first (JSON text, object or
   * `ParsedPattern`); an invalid one throws `InvalidEventPatternException` and leaves the
   * matcher as it was.
   */
  add(id: string, pattern: string | object | ParsedPattern): void {
    const parsed = validateEventPattern(pattern, this.limits);
    this.remove(id);
    const rule: Rule = {
      id,
      seq: this.seq++,
      pattern: parsed,
      entries: [],
      nodes: new Map(),
      stamp: -1,
    };
    const checks = new Map<Condition, Check & { node: Node }>();
    for (const branch of parsed.branches) {
      for (const c of branch.conditions) {
        if (checks.has(c)) continue;
        const node = this.trie.acquire(c.segments);
        rule.nodes.set(c, node);
        checks.set(c, { node, test: new LeafTest(c) });
        const index = (node.data ??= new PathIndex<Entry>());
        for (const m of c.matchers) index.note(m, 1);
      }
    }
    const nodeOf = (c: Condition): Node => checks.get(c)!.node;
    for (const branch of parsed.branches) {
      const entry: Entry = {
        rule,
        conditions: branch.conditions,
        checks: branch.conditions.map((c) => checks.get(c)!),
        nodeOf,
        anchor: null,
        filed: [],
        sole: false,
        rest: null,
        stamp: -1,
      };
      this.file(entry, anchorOf(branch.conditions, nodeOf).anchor);
      rule.entries.push(entry);
      for (const { index, matcher } of entry.filed) this.rebalance(index, matcher);
    }
    this.rules.set(id, rule);
  }

  /** Removes rule `id`; false when there was none. */
  remove(id: string): boolean {
    const rule = this.rules.get(id);
    if (!rule) return false;
    for (const entry of rule.entries) this.unfile(entry);
    for (const [c, node] of rule.nodes) {
      for (const m of c.matchers) node.data?.note(m, -1);
      if (node.data?.empty) node.data = null;
      this.trie.release(node);
    }
    this.rules.delete(id);
    return true;
  }

  /** Files `entry` under every matcher of `anchor` (or with the always-candidates when null). */
  private file(entry: Entry, anchor: Condition | null): void {
    entry.anchor = anchor;
    const exact = anchor !== null && anchor.matchers.every(exactHit);
    entry.sole = exact && entry.conditions.length === 1;
    entry.rest = exact ? entry.checks.filter((_, i) => entry.conditions[i] !== anchor) : null;
    if (anchor === null) {
      this.always.push(entry);
      return;
    }
    const node = entry.nodeOf(anchor);
    const index = (node.data ??= new PathIndex<Entry>());
    for (const matcher of anchor.matchers) {
      index.add(matcher, entry);
      entry.filed.push({ index, matcher });
    }
  }

  private unfile(entry: Entry): void {
    if (entry.anchor === null) {
      const i = this.always.indexOf(entry);
      if (i >= 0) this.always.splice(i, 1);
    }
    for (const { index, matcher } of entry.filed) index.remove(matcher, entry);
    entry.filed = [];
  }

  /**
   * When a bucket reaches 4, 8, 16, … entries (many rules anchored on one common value, such as
   * `ODD_EVEN: "E"`), moves each of its entries to another condition that is now cheaper. The
   * doubling sizes keep the work amortised constant per added rule.
   */
  private rebalance(index: PathIndex<Entry>, matcher: Matcher): void {
    const bucket = index.bucketOf(matcher);
    const size = bucket?.length ?? 0;
    if (size < REBALANCE_FROM || (size & (size - 1)) !== 0) return;
    for (const entry of [...bucket!]) {
      const anchor = entry.anchor!;
      const best = anchorOf(entry.conditions, entry.nodeOf);
      // The current anchor's cost counts the entry itself; another must beat it by more than that.
      if (
        best.anchor === null ||
        best.anchor === anchor ||
        best.cost >= anchorCost(anchor, entry.nodeOf(anchor)) - 1
      )
        continue;
      this.unfile(entry);
      this.file(entry, best.anchor);
    }
  }

  /**
   * Ids of the rules `event` matches, in the order they were added. `event` is an object or
   * its JSON text; no envelope fields are required here. Throws `ValidationException` for an
   * event that is not a JSON object or nests deeper than `maxEventDepth` where a rule looks.
   */
  match(event: unknown): string[] {
    const value = readEvent(event);
    const candidates = this.candidates;
    candidates.length = 0;
    this.walker.walk(value);
    const epoch = this.walker.epoch;
    for (const e of this.always) candidates.push(e);
    const matched: Rule[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const e = candidates[i]!;
      if (e.rule.stamp === epoch) continue;
      // Without arrays of objects in the event, an exact hit on the anchor settles it: check the rest.
      const checks = e.rest !== null && !this.walker.nested ? e.rest : e.checks;
      if (e.sole || holdsTogether(this.walker, checks) === true) {
        e.rule.stamp = epoch;
        matched.push(e.rule);
      }
    }
    this.totals.events++;
    this.totals.candidates += candidates.length;
    this.totals.matches += matched.length;
    if (matched.length > 1) matched.sort((a, b) => a.seq - b.seq);
    return matched.map((r) => r.id);
  }

  /** Explains why rule `id` does or does not match `event` (see `explainEventPattern`). */
  explain(id: string, event: unknown): Explanation {
    const rule = this.rules.get(id);
    if (!rule)
      throw new BallastError(
        'ResourceNotFoundException',
        `No rule ${JSON.stringify(id)} in this matcher`,
      );
    return explainEventPattern(rule.pattern, event, {
      requireEnvelope: false,
      limits: this.limits,
    });
  }
}
