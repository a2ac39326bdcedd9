/**
 * Deciding one `$or` combination against a walked event: each condition tests the leaves
 * recorded at its path. A leaf outside any array-of-objects element (scope 0) is present in
 * every world, so most events are decided here without the consistency solver.
 */
import { type ConditionLeaves, consistent } from './consistency.js';
import type { LeafTest } from './predicate.js';
import type { EventWalker, PathNode } from './walk.js';

/** A condition bound to its trie node. */
export interface Check {
  readonly node: PathNode<unknown>;
  readonly test: LeafTest;
}

/** Outcome for one condition taken alone: holds everywhere, fails, or depends on arrays. */
const HOLDS = 0;
const FAILS = 1;
const DEPENDS = 2;

function alone(walker: EventWalker<unknown>, check: Check): number {
  const node = check.node;
  const n = walker.leafCount(node);
  if (n === 0) return check.test.allowsAbsence ? HOLDS : FAILS;
  let nestedSat = false;
  let nested = false;
  let rootUnsat = false;
  for (let i = 0; i < n; i++) {
    const sat = check.test.test(node.values[i]!);
    if (node.scopes[i] === 0) {
      if (sat) return HOLDS;
      rootUnsat = true;
    } else {
      nested = true;
      if (sat) nestedSat = true;
    }
  }
  if (nestedSat) return DEPENDS;
  // Only non-satisfying leaves: absence is the last hope, and a leaf in scope 0 rules it out.
  if (!check.test.allowsAbsence || rootUnsat) return FAILS;
  return nested ? DEPENDS : FAILS;
}

function leavesOf(walker: EventWalker<unknown>, check: Check): ConditionLeaves {
  const node = check.node;
  const n = walker.leafCount(node);
  const sat: number[] = [];
  const unsat: number[] = [];
  for (let i = 0; i < n; i++)
    (check.test.test(node.values[i]!) ? sat : unsat).push(node.scopes[i]!);
  return { sat, unsat, allowsAbsence: check.test.allowsAbsence };
}

/**
 * Whether all `checks` hold together in the walked event (array-consistent). `undefined` only
 * when the consistency search ran out of budget (see consistency.ts).
 */
export function holdsTogether(
  walker: EventWalker<unknown>,
  checks: readonly Check[],
): boolean | undefined {
  let open: Check[] | null = null;
  for (const check of checks) {
    const verdict = alone(walker, check);
    if (verdict === FAILS) return false;
    if (verdict === DEPENDS) (open ??= []).push(check);
  }
  if (open === null) return true;
  return consistent(
    walker.scopes,
    open.map((c) => leavesOf(walker, c)),
  );
}

/** Whether one check holds taken alone, ignoring array consistency (for explanations). */
export function holdsAlone(walker: EventWalker<unknown>, check: Check): boolean | undefined {
  return holdsTogether(walker, [check]);
}
