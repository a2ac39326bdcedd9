/**
 * `numeric` matching: one lower bound then one upper bound, or one bound, or `=`. Bounds are full
 * IEEE-754 doubles (any finite JSON number), compared as JavaScript compares numbers.
 */
import { invalid, type PatternStep } from './invalid.js';

/** A numeric interval. An absent bound is ±Infinity. `=` is lo = hi, both inclusive. */
export interface NumericRange {
  readonly lo: number;
  readonly loInclusive: boolean;
  readonly hi: number;
  readonly hiInclusive: boolean;
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

/** Whether `x` lies in `range`. */
export function inRange(range: NumericRange, x: number): boolean {
  const aboveLo = range.loInclusive ? x >= range.lo : x > range.lo;
  return aboveLo && (range.hiInclusive ? x <= range.hi : x < range.hi);
}

function bound(value: unknown, op: string, at: readonly PatternStep[]): number {
  // JSON text like 1e400 parses to Infinity: not a bound anyone means.
  if (typeof value !== 'number' || !Number.isFinite(value))
    invalid(`Value of ${op} must be numeric`, at);
  return value;
}

function operator(value: unknown, at: readonly PatternStep[]): string {
  if (typeof value !== 'string' || !(value === '=' || LOWER.has(value) || UPPER.has(value))) {
    invalid(
      `Unrecognized numeric range operator: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      at,
    );
  }
  return value;
}

/** Parses the value of `{"numeric": …}` found at `at`. */
export function parseNumeric(value: unknown, at: readonly PatternStep[]): NumericRange {
  if (!Array.isArray(value)) invalid('Value of numeric must be an array.', at);
  if (value.length === 0) invalid('Empty arrays are not allowed', at);
  const first = operator(value[0], [...at, 0]);
  const firstValue = bound(value[1], first, [...at, 1]);
  const extra = (i: number): never =>
    invalid(`Bad numeric range operator: ${String(value[i])}`, [...at, i]);
  if (first === '=') {
    if (value.length > 2) extra(2);
    return { lo: firstValue, loInclusive: true, hi: firstValue, hiInclusive: true };
  }
  if (UPPER.has(first)) {
    if (value.length > 2) extra(2);
    return { lo: -Infinity, loInclusive: false, hi: firstValue, hiInclusive: first === '<=' };
  }
  const lo = firstValue;
  const loInclusive = first === '>=';
  if (value.length === 2) return { lo, loInclusive, hi: Infinity, hiInclusive: false };
  const second = value[2];
  if (typeof second !== 'string' || !UPPER.has(second)) extra(2);
  const hi = bound(value[3], second as string, [...at, 3]);
  if (value.length > 4) extra(4);
  const hiInclusive = second === '<=';
  if (lo > hi || (lo === hi && !(loInclusive && hiInclusive)))
    invalid('Bottom must be less than top', at);
  return { lo, loInclusive, hi, hiInclusive };
}
