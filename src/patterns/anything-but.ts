/**
 * Parsing and testing `anything-but`. Error texts are AWS's (reference/eventbridge.md §4),
 * including its uneven wording between the list and object forms.
 */
import { foldCase } from './fold.js';
import { invalid, type PatternStep, soleKey } from './invalid.js';
import type { AnythingBut, JsonLeaf } from './types.js';
import { matchWildcard, parseWildcard } from './wildcard.js';

const NOT_ARRAY_OR_SINGLE = 'Value of anything-but must be an array or single string/number value.';

/** Limits that parsing `anything-but` needs. */
export interface AnythingButLimits {
  readonly maxValuesPerField: number;
  readonly maxWildcardComplexity: number;
}

function list(
  value: unknown,
  at: readonly PatternStep[],
  limits: AnythingButLimits,
): readonly unknown[] {
  if (!Array.isArray(value)) return [value];
  if (value.length === 0) invalid('Empty arrays are not allowed', at);
  if (value.length > limits.maxValuesPerField)
    invalid(`Too many values (${value.length}); the limit is ${limits.maxValuesPerField}`, at);
  return value;
}

function values(
  value: unknown,
  at: readonly PatternStep[],
  limits: AnythingButLimits,
): AnythingBut {
  const strings: string[] = [];
  const numbers: number[] = [];
  const items = list(value, at, limits);
  items.forEach((item, i) => {
    const where = Array.isArray(value) ? [...at, i] : at;
    if (typeof item === 'string') strings.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) numbers.push(item);
    else invalid('Inside anything but list, start|null|boolean is not supported.', where);
  });
  if (strings.length > 0 && numbers.length > 0)
    invalid('Inside anything but list, values must be all strings or all numbers', at);
  return { kind: 'values', strings, numbers };
}

function operator(
  value: Record<string, unknown>,
  at: readonly PatternStep[],
  limits: AnythingButLimits,
): AnythingBut {
  const kind = soleKey(value, at);
  const inner = value[kind];
  const where = [...at, kind];
  const strings = (reason: string, allowEmpty: boolean): string[] =>
    list(inner, where, limits).map((item, i) => {
      const itemAt = Array.isArray(inner) ? [...where, i] : where;
      // prefix/suffix in an object ({"equals-ignore-case": …}) is not supported inside anything-but.
      if (
        typeof item === 'object' &&
        item !== null &&
        !Array.isArray(item) &&
        (kind === 'prefix' || kind === 'suffix')
      ) {
        invalid(NOT_ARRAY_OR_SINGLE, itemAt);
      }
      if (typeof item !== 'string') invalid(reason, itemAt);
      if (!allowEmpty && item === '') invalid('Null prefix/suffix not allowed', itemAt);
      return item;
    });
  switch (kind) {
    case 'prefix':
    case 'suffix':
      return { kind, values: strings('prefix/suffix match pattern must be a string', false) };
    case 'equals-ignore-case':
      return {
        kind,
        values: strings(
          'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
          true,
        ).map(foldCase),
      };
    case 'wildcard': {
      const texts = strings('wildcard match pattern must be a string', true);
      const wildcards = texts.map((t, i) =>
        parseWildcard(
          t,
          Array.isArray(inner) ? [...where, i] : where,
          limits.maxWildcardComplexity,
        ),
      );
      return { kind, wildcards };
    }
    default:
      return invalid(`Unsupported anything-but pattern: ${kind}`, where);
  }
}

/** Parses the value of `{"anything-but": …}` at `at`. */
export function parseAnythingBut(
  value: unknown,
  at: readonly PatternStep[],
  limits: AnythingButLimits,
): AnythingBut {
  if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value))
    return values(value, at, limits);
  if (typeof value === 'object' && value !== null)
    return operator(value as Record<string, unknown>, at, limits);
  return invalid(NOT_ARRAY_OR_SINGLE, at);
}

/** Whether the leaf is excluded by `but` (a leaf that is not excluded matches). */
export function excludedBy(but: AnythingBut, leaf: JsonLeaf): boolean {
  switch (but.kind) {
    case 'values':
      return typeof leaf === 'string'
        ? but.strings.includes(leaf)
        : typeof leaf === 'number' && but.numbers.includes(leaf);
    case 'prefix':
      return typeof leaf === 'string' && but.values.some((p) => leaf.startsWith(p));
    case 'suffix':
      return typeof leaf === 'string' && but.values.some((s) => leaf.endsWith(s));
    case 'equals-ignore-case':
      return typeof leaf === 'string' && but.values.includes(foldCase(leaf));
    case 'wildcard':
      return typeof leaf === 'string' && but.wildcards.some((w) => matchWildcard(w, leaf));
  }
}
