/**
 * Parsing one entry of a field's array: a literal (string, number, boolean, null) or an operator
 * object with exactly one key. Error texts are AWS's where AWS has one (reference §4).
 */
import { parseAnythingBut } from './anything-but.js';
import { parseCidr } from './cidr.js';
import { foldCase } from './fold.js';
import { invalid, type PatternStep, soleKey } from './invalid.js';
import type { PatternLimits } from './limits.js';
import { parseNumeric } from './numeric.js';
import type { Matcher } from './types.js';
import { parseWildcard } from './wildcard.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `prefix` / `suffix`: a string, or `{"equals-ignore-case": string}`. */
function affix(kind: 'prefix' | 'suffix', value: unknown, at: readonly PatternStep[]): Matcher {
  if (typeof value === 'string') return { kind, value, ignoreCase: false };
  if (isObject(value)) {
    const keys = Object.keys(value);
    const inner = value['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string')
      return { kind, value: foldCase(inner), ignoreCase: true };
  }
  return invalid(`${kind} match pattern must be a string`, at);
}

/** Parses one entry of a field's array found at `at`. */
export function parseMatcher(
  entry: unknown,
  at: readonly PatternStep[],
  limits: Readonly<PatternLimits>,
): Matcher {
  if (typeof entry === 'string' || typeof entry === 'boolean' || entry === null)
    return { kind: 'equals', value: entry };
  if (typeof entry === 'number') {
    if (!Number.isFinite(entry)) invalid('Numbers must be finite', at);
    return { kind: 'equals', value: entry };
  }
  if (!isObject(entry))
    return invalid('Match values must be strings, numbers, booleans, null or operator objects', at);
  const op = soleKey(entry, at);
  const value = entry[op];
  const where = [...at, op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return affix(op, value, where);
    case 'equals-ignore-case':
      if (typeof value !== 'string')
        invalid('equals-ignore-case match pattern must be a string', where);
      return { kind: 'equals-ignore-case', value: foldCase(value) };
    case 'wildcard':
      return {
        kind: 'wildcard',
        wildcard: parseWildcard(value, where, limits.maxWildcardComplexity),
      };
    case 'numeric':
      return { kind: 'numeric', range: parseNumeric(value, where) };
    case 'exists':
      if (typeof value !== 'boolean')
        invalid('exists match pattern must be either true or false.', where);
      return { kind: 'exists', exists: value };
    case 'cidr':
      return { kind: 'cidr', cidr: parseCidr(value, where) };
    case 'anything-but':
      return { kind: 'anything-but', but: parseAnythingBut(value, where, limits) };
    default:
      return invalid(`Unrecognized match type ${op}`, where);
  }
}
