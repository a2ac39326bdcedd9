/**
 * `explainEventPattern`: "why didn't my rule fire?". For every `$or` combination it reports each
 * condition — the field's path, the pattern's array, what the event had there, whether it holds —
 * and, when every condition holds alone but not together, that array consistency is the reason.
 */
import { Evaluation, type TestEventOptions } from './evaluate.js';
import type { Condition, JsonLeaf } from './types.js';
import { holdsAlone } from './verify.js';

/** One condition of one combination, checked against the event. */
export interface ConditionReport {
  /** Event path of the field (`detail.state`). */
  readonly path: string;
  /** Where the field's array is in the pattern (`$.detail.state`). */
  readonly location: string;
  /** The field's array as written in the pattern. */
  readonly pattern: string;
  /** The values (leaves) the event has at `path`; empty when it has none. */
  readonly found: readonly JsonLeaf[];
  /** Whether the condition holds, taken alone (arrays considered). */
  readonly holds: boolean;
  /** One sentence saying what was expected and what the event had. */
  readonly message: string;
}

/** One `$or` combination (a pattern without `$or` has exactly one). */
export interface BranchReport {
  /** Position among the combinations, from 0. */
  readonly index: number;
  /** The `$or` entries this combination took, as JSON paths into the pattern. */
  readonly choices: readonly string[];
  readonly matches: boolean;
  readonly conditions: readonly ConditionReport[];
  /** Set when every condition holds alone but no single array element satisfies them together. */
  readonly consistency?: string;
}

/** The answer of `explainEventPattern`. */
export interface Explanation {
  readonly matches: boolean;
  readonly branches: readonly BranchReport[];
  /**
   * Human-readable lines: for a match, which combination matched; otherwise every failing
   * condition (and consistency failure) of every combination.
   */
  readonly reasons: readonly string[];
}

function show(leaf: JsonLeaf): string {
  const text = JSON.stringify(leaf);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function listed(found: readonly JsonLeaf[]): string {
  const shown = found.slice(0, 5).map(show).join(', ');
  return found.length > 5 ? `${shown} and ${found.length - 5} more` : shown;
}

function message(
  c: Condition,
  found: readonly JsonLeaf[],
  holds: boolean,
  allowsAbsence: boolean,
): string {
  const where = c.path === '' ? '(root)' : c.path;
  if (holds) {
    return found.length === 0
      ? `${where}: absent, as ${c.written} allows`
      : `${where}: the event has ${listed(found)}, which satisfies ${c.written}`;
  }
  if (found.length === 0)
    return `${where}: the event has no value here (absent, or only objects/empty arrays), but ${c.written} needs one`;
  const which = found.length === 1 ? 'which does not satisfy' : 'none of which satisfies';
  const absence = allowsAbsence ? ' (and being present, the field is not absent)' : '';
  return `${where}: the event has ${listed(found)}, ${which} ${c.written}${absence}`;
}

/**
 * Explains whether and why `event` matches `pattern`: per `$or` combination, which condition
 * failed, at which path, and what the event had there. Same inputs (a `ParsedPattern` too),
 * options and errors as `testEventPattern`, whose answer `matches` always equals.
 */
export function explainEventPattern(
  pattern: string | object,
  event: unknown,
  options: TestEventOptions = {},
): Explanation {
  const ev = new Evaluation(pattern, options);
  const parsed = ev.pattern;
  ev.walk(event, options.requireEnvelope ?? true);
  const branches: BranchReport[] = parsed.branches.map((branch, index) => {
    const conditions = branch.conditions.map((c): ConditionReport => {
      const check = ev.check(c);
      const n = ev.walker.leafCount(check.node);
      const found = check.node.values.slice(0, n);
      const holds = holdsAlone(ev.walker, check) === true;
      return {
        path: c.path,
        location: c.location,
        pattern: c.written,
        found,
        holds,
        message: message(c, found, holds, check.test.allowsAbsence),
      };
    });
    const together = ev.branchHolds(branch);
    const matches = together === true;
    const report: BranchReport = { index, choices: branch.choices, matches, conditions };
    if (!matches && conditions.every((c) => c.holds)) {
      const paths = conditions.map((c) => c.path).join(', ');
      const consistency =
        together === undefined
          ? `undecided: the event spells these paths both dotted and nested inside arrays beyond the search budget (${paths})`
          : `${paths}: each holds, but not within one element of the same array (array consistency: fields matched inside an array must come from the same element)`;
      return { ...report, consistency };
    }
    return report;
  });
  const matches = branches.some((b) => b.matches);
  const many = branches.length > 1;
  const label = (b: BranchReport): string =>
    many ? `$or combination ${b.index} (${b.choices.join(' + ')}): ` : '';
  const reasons = matches
    ? branches.filter((b) => b.matches).map((b) => `${label(b)}matches`)
    : branches.flatMap((b) => [
        ...b.conditions.filter((c) => !c.holds).map((c) => `${label(b)}${c.message}`),
        ...(b.consistency ? [`${label(b)}${b.consistency}`] : []),
      ]);
  return { matches, branches, reasons };
}
