/**
 * `validateEventPattern`: JSON text or object → checked against the limits → typed pattern with
 * its `$or` combinations expanded. Every rejection says what is wrong and where (a JSON path).
 */
import { invalid, jsonPath, type PatternStep } from './invalid.js';
import { type PatternLimits, resolvePatternLimits } from './limits.js';
import { parseMatcher } from './matchers.js';
import type { Branch, Condition } from './types.js';

/** A validated pattern: the unit the evaluators and the matcher take. */
export class ParsedPattern {
  /** The `$or` combinations; a pattern matches when any one does. */
  readonly branches: readonly Branch[];
  /** The pattern as compact JSON (duplicate keys resolved: the last wins). */
  readonly json: string;

  /** @internal Use `validateEventPattern`. */
  constructor(branches: readonly Branch[], json: string) {
    this.branches = branches;
    this.json = json;
    Object.freeze(this);
  }
}

/** A pattern object before expansion: its own fields, nested objects and `$or` groups (all AND-ed). */
interface Node {
  readonly conditions: Condition[];
  readonly children: Node[];
  readonly ors: { readonly options: Node[]; readonly locations: string[] }[];
}

interface Context {
  readonly limits: Readonly<PatternLimits>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function depthCheck(depth: number, ctx: Context, at: readonly PatternStep[]): void {
  if (depth > ctx.limits.maxPatternDepth)
    invalid(`Pattern nests deeper than ${ctx.limits.maxPatternDepth} levels`, at);
}

function leaf(
  values: unknown[],
  segments: string[],
  at: PatternStep[],
  depth: number,
  ctx: Context,
): Condition {
  if (values.length === 0) invalid('Empty arrays are not allowed', at);
  if (values.length > ctx.limits.maxValuesPerField) {
    invalid(
      `Too many values in one field (${values.length}); the limit is ${ctx.limits.maxValuesPerField}`,
      at,
    );
  }
  depthCheck(depth + 1, ctx, at);
  const matchers = values.map((v, i) => parseMatcher(v, [...at, i], ctx.limits));
  return {
    path: segments.join('.'),
    segments,
    location: jsonPath(at),
    matchers,
    written: JSON.stringify(values),
  };
}

function object(
  value: Record<string, unknown>,
  segments: string[],
  at: PatternStep[],
  depth: number,
  ctx: Context,
): Node {
  depthCheck(depth, ctx, at);
  const keys = Object.keys(value);
  if (keys.length === 0) invalid('Empty objects are not allowed', at);
  const node: Node = { conditions: [], children: [], ors: [] };
  for (const key of keys) {
    const v = value[key];
    const where = [...at, key];
    if (key === '$or') {
      if (!Array.isArray(v) || v.length < 2 || !v.every(isObject))
        invalid('$or must be an array of at least two objects', where);
      depthCheck(depth + 1, ctx, where);
      const options = v.map((o, i) =>
        object(o as Record<string, unknown>, segments, [...where, i], depth + 2, ctx),
      );
      node.ors.push({ options, locations: v.map((_, i) => jsonPath([...where, i])) });
    } else if (Array.isArray(v)) {
      node.conditions.push(leaf(v, [...segments, ...key.split('.')], where, depth, ctx));
    } else if (isObject(v)) {
      node.children.push(object(v, [...segments, ...key.split('.')], where, depth + 1, ctx));
    } else {
      invalid(`${JSON.stringify(key)} must be an object or an array`, where);
    }
  }
  return node;
}

/** How many combinations `node` expands to, saturating just above `cap`. */
function combinations(node: Node, cap: number): number {
  let n = 1;
  for (const child of node.children) n = Math.min(cap + 1, n * combinations(child, cap));
  for (const or of node.ors) {
    let sum = 0;
    for (const option of or.options) sum = Math.min(cap + 1, sum + combinations(option, cap));
    n = Math.min(cap + 1, n * sum);
  }
  return n;
}

function cross(left: Branch[], right: Branch[]): Branch[] {
  const out: Branch[] = [];
  for (const l of left) {
    for (const r of right)
      out.push({
        conditions: [...l.conditions, ...r.conditions],
        choices: [...l.choices, ...r.choices],
      });
  }
  return out;
}

function expand(node: Node): Branch[] {
  let branches: Branch[] = [{ conditions: node.conditions, choices: [] }];
  for (const child of node.children) branches = cross(branches, expand(child));
  for (const or of node.ors) {
    const options = or.options.flatMap((option, i) =>
      expand(option).map((b) => ({
        conditions: b.conditions,
        choices: [or.locations[i]!, ...b.choices],
      })),
    );
    branches = cross(branches, options);
  }
  return branches;
}

function toText(pattern: string | object): string {
  if (typeof pattern === 'string') return pattern;
  try {
    return JSON.stringify(pattern) ?? 'undefined';
  } catch (e) {
    // A cycle, a BigInt, or nesting deeper than the stack: none can be a pattern.
    return invalid(`Pattern cannot be read as JSON (${(e as Error).message})`, []);
  }
}

/**
 * Validates an event pattern (JSON text or a parsed object) and returns its typed form.
 * Throws `InvalidEventPatternException` (an `InvalidPatternError`) naming the reason and the
 * JSON path of the bad field; `limits` override `DEFAULT_PATTERN_LIMITS`.
 */
export function validateEventPattern(
  pattern: string | object,
  limits?: Partial<PatternLimits>,
): ParsedPattern {
  if (pattern instanceof ParsedPattern) return pattern;
  const resolved = resolvePatternLimits(limits);
  const text = toText(pattern);
  if (text.length > resolved.maxPatternLength) {
    invalid(
      `Event pattern is ${text.length} characters long; the limit is ${resolved.maxPatternLength}`,
      [],
    );
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    return invalid(`Pattern is not valid JSON: ${(e as Error).message}`, []);
  }
  if (!isObject(root)) invalid('Event pattern must be a JSON object', []);
  const ctx: Context = { limits: resolved };
  const node = object(root, [], [], 1, ctx);
  const count = combinations(node, resolved.maxOrCombinations);
  if (count > resolved.maxOrCombinations) {
    invalid(`$or expands to more than ${resolved.maxOrCombinations} combinations`, []);
  }
  return new ParsedPattern(expand(node), JSON.stringify(root));
}
