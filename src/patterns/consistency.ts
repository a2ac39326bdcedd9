/**
 * Array consistency: can every condition of one `$or` combination be met in one "world", where a
 * world picks one element of every array (scalars in arrays are always present; see scopes.ts)?
 * A condition needs a satisfying leaf in the world, or — when it allows absence (`exists:false`)
 * — it may instead have no leaf at all in the world.
 *
 * Solved top-down over the scopes that hold relevant leaves: a condition met by a leaf directly
 * in a scope is done; the rest descend into the one child array that holds their leaves and
 * some element of that array must meet all of them together. Arrays under one scope are
 * independent, so each scope is visited once. Only an event that spells one path both dotted and
 * nested can put a condition's leaves under two arrays of one scope; that case is searched
 * exhaustively within a step budget.
 */
import type { ScopeTables } from './scopes.js';

/** The leaves one condition has in the event, by scope. */
export interface ConditionLeaves {
  /** Scopes of the leaves that satisfy the condition. */
  readonly sat: readonly number[];
  /** Scopes of the leaves that do not (only read when the condition allows absence). */
  readonly unsat: readonly number[];
  /** The condition also holds where the field has no leaf (`exists:false`). */
  readonly allowsAbsence: boolean;
}

const POS = 0; // needs a satisfying leaf
const MIXED = 1; // a satisfying leaf, or no leaf at all
const ABSENT = 2; // no leaf at all

interface Need {
  readonly cond: number;
  readonly kind: number;
}

interface Node {
  readonly scope: number;
  readonly children: Node[];
  /** Children grouped by the array they are elements of. */
  arrays: Map<number, Node[]> | null;
  readonly satHere: Uint32Array;
  readonly anyHere: Uint32Array;
  readonly satBelow: Uint32Array;
  readonly anyBelow: Uint32Array;
}

const has = (bits: Uint32Array, i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
const set = (bits: Uint32Array, i: number): void => {
  bits[i >>> 5]! |= 1 << (i & 31);
};

class Solver {
  private readonly nodes = new Map<number, Node>();
  private readonly words: number;
  private steps = 0;
  private readonly budget: number;

  constructor(
    private readonly scopes: ScopeTables,
    private readonly conds: readonly ConditionLeaves[],
  ) {
    this.words = Math.ceil(conds.length / 32);
    conds.forEach((c, i) => {
      for (const s of c.sat) {
        const n = this.node(s);
        set(n.satHere, i);
        set(n.anyHere, i);
      }
      if (c.allowsAbsence) for (const s of c.unsat) set(this.node(s).anyHere, i);
    });
    this.node(0);
    this.budget = 10 * this.nodes.size + 10_000;
  }

  /** The node for `scope`, creating it and any missing ancestors. */
  private node(scope: number): Node {
    let found = this.nodes.get(scope);
    if (found) return found;
    const make = (s: number): Node => {
      const n: Node = {
        scope: s,
        children: [],
        arrays: null,
        satHere: new Uint32Array(this.words),
        anyHere: new Uint32Array(this.words),
        satBelow: new Uint32Array(this.words),
        anyBelow: new Uint32Array(this.words),
      };
      this.nodes.set(s, n);
      return n;
    };
    found = make(scope);
    let child = found;
    let parent = this.scopes.parent[scope]!;
    while (parent >= 0) {
      const existing = this.nodes.get(parent);
      if (existing) {
        existing.children.push(child);
        break;
      }
      const made = make(parent);
      made.children.push(child);
      child = made;
      parent = this.scopes.parent[parent]!;
    }
    return found;
  }

  /** Fills the *Below sets and groups children by array, bottom-up. */
  prepare(n: Node): void {
    n.satBelow.set(n.satHere);
    n.anyBelow.set(n.anyHere);
    n.arrays = new Map();
    for (const c of n.children) {
      this.prepare(c);
      for (let w = 0; w < this.words; w++) {
        n.satBelow[w]! |= c.satBelow[w]!;
        n.anyBelow[w]! |= c.anyBelow[w]!;
      }
      const array = this.scopes.arrayOf[c.scope]!;
      const list = n.arrays.get(array);
      if (list) list.push(c);
      else n.arrays.set(array, [c]);
    }
  }

  /** Whether some world below `n` meets every need. Throws the budget sentinel when exhausted. */
  solve(n: Node, needs: readonly Need[]): boolean {
    if (++this.steps > this.budget) throw BUDGET;
    const single = new Map<number, Need[]>();
    const multi: { need: Need; routes: number[] }[] = [];
    for (const need of needs) {
      let kind = need.kind;
      if (kind !== ABSENT && has(n.satHere, need.cond)) continue;
      if (has(n.anyHere, need.cond)) {
        if (kind === ABSENT) return false;
        kind = POS;
      }
      const routes: number[] = [];
      for (const [array, elements] of n.arrays!) {
        if (elements.some((e) => has(kind === POS ? e.satBelow : e.anyBelow, need.cond)))
          routes.push(array);
      }
      if (routes.length === 0) {
        if (kind === POS) return false;
        continue;
      }
      if (routes.length === 1 || kind === ABSENT) {
        for (const r of routes) push(single, r, { cond: need.cond, kind });
      } else {
        multi.push({ need: { cond: need.cond, kind }, routes });
      }
    }
    // The common case goes straight to the arrays: fewer stack frames per level of nesting.
    if (multi.length === 0) return this.arraysHold(n, single);
    return this.assign(n, single, this.settlePrivate(n, single, multi), 0);
  }

  /**
   * A condition that could be met under several arrays, one of which no other condition uses
   * and which meets it alone, is placed there: no other placement can do better.
   */
  private settlePrivate(
    n: Node,
    placed: Map<number, Need[]>,
    multi: { need: Need; routes: number[] }[],
  ): { need: Need; routes: number[] }[] {
    if (multi.length === 0) return multi;
    const users = new Map<number, number>();
    for (const key of placed.keys()) users.set(key, 1);
    for (const m of multi) for (const r of m.routes) users.set(r, (users.get(r) ?? 0) + 1);
    return multi.filter(({ need, routes }) => {
      if (need.kind !== POS) return true;
      const own = routes.find(
        (r) => users.get(r) === 1 && n.arrays!.get(r)!.some((e) => this.solve(e, [need])),
      );
      if (own === undefined) return true;
      placed.set(own, [need]);
      return false;
    });
  }

  /** Tries the ways of placing conditions that could be met under several arrays. */
  private assign(
    n: Node,
    placed: Map<number, Need[]>,
    multi: { need: Need; routes: number[] }[],
    i: number,
  ): boolean {
    if (i === multi.length) return this.arraysHold(n, placed);
    const { need, routes } = multi[i]!;
    const attempt = (route: number, kind: number): boolean => {
      const copy = new Map<number, Need[]>([...placed].map(([k, v]) => [k, [...v]]));
      push(copy, route, { cond: need.cond, kind });
      return this.assign(n, copy, multi, i + 1);
    };
    if (need.kind === MIXED) {
      const copy = new Map<number, Need[]>([...placed].map(([k, v]) => [k, [...v]]));
      for (const r of routes) push(copy, r, { cond: need.cond, kind: ABSENT });
      if (this.assign(n, copy, multi, i + 1)) return true;
    }
    return routes.some((r) => attempt(r, POS));
  }

  private arraysHold(n: Node, placed: Map<number, Need[]>): boolean {
    for (const [array, needs] of placed) {
      const elements = n.arrays!.get(array)!;
      let met = false;
      for (let i = 0; i < elements.length && !met; i++) met = this.solve(elements[i]!, needs);
      if (met) continue;
      // An element holding none of these leaves meets every need that may be absent.
      const spare = this.scopes.elements[array]! > elements.length;
      if (!(spare && needs.every((x) => x.kind !== POS))) return false;
    }
    return true;
  }

  run(): boolean {
    const root = this.nodes.get(0)!;
    this.prepare(root);
    const needs = this.conds.map((c, cond) => ({ cond, kind: c.allowsAbsence ? MIXED : POS }));
    return this.solve(root, needs);
  }
}

function push(map: Map<number, Need[]>, key: number, need: Need): void {
  const list = map.get(key);
  if (list) list.push(need);
  else map.set(key, [need]);
}

const BUDGET = Symbol('consistency budget');

/**
 * Whether the conditions can all hold in one world. `undefined` when the search exceeded its
 * step budget (only possible for events spelling one path both dotted and nested in arrays).
 */
export function consistent(
  scopes: ScopeTables,
  conds: readonly ConditionLeaves[],
): boolean | undefined {
  try {
    return new Solver(scopes, conds).run();
  } catch (e) {
    if (e === BUDGET) return undefined;
    throw e;
  }
}
