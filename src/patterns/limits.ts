/**
 * Limits on event patterns (reference/eventbridge.md §5) and on the events the matcher walks.
 * Every limit is configurable: pass a partial `PatternLimits` where a function or the matcher
 * takes `limits`. A pattern over a limit is rejected with `InvalidEventPatternException`.
 */
import { BallastError } from '../core/errors.js';

/** Limits that keep hostile patterns and events bounded in time and memory. */
export interface PatternLimits {
  /**
   * Longest pattern, characters of JSON text (an object is measured as `JSON.stringify` gives
   * it). AWS's service quota is 2,048 (adjustable); its API model allows 4,096. @defaultValue 4_096
   */
  maxPatternLength: number;
  /** Most `$or` combinations one pattern expands to (AWS: 1,000). @defaultValue 1_000 */
  maxOrCombinations: number;
  /** Deepest nesting of objects and arrays in a pattern, the root object being 1. @defaultValue 64 */
  maxPatternDepth: number;
  /** Most entries in one field's array, and in one `anything-but` list. @defaultValue 1_000 */
  maxValuesPerField: number;
  /**
   * Highest wildcard complexity: the most pattern positions a wildcard can have active at once
   * while matching (see docs/patterns.md). Above it: AWS's "Rule is too complex" error. @defaultValue 10
   */
  maxWildcardComplexity: number;
  /**
   * Deepest nesting of arrays and objects the matcher follows into an event (AWS processes
   * 1,000 levels); an event nested deeper where a pattern looks is rejected. @defaultValue 1_000
   */
  maxEventDepth: number;
}

/** The defaults: AWS's numbers where AWS has one. */
export const DEFAULT_PATTERN_LIMITS = {
  maxPatternLength: 4_096,
  maxOrCombinations: 1_000,
  maxPatternDepth: 64,
  maxValuesPerField: 1_000,
  maxWildcardComplexity: 10,
  maxEventDepth: 1_000,
} as const satisfies PatternLimits;

/** Fills in defaults and checks every value is a positive whole number. */
export function resolvePatternLimits(limits: Partial<PatternLimits> = {}): Readonly<PatternLimits> {
  const resolved: PatternLimits = { ...DEFAULT_PATTERN_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new BallastError(
        'InvalidParameterValue',
        `Pattern limit ${name} must be a positive integer, got ${String(value)}`,
      );
    }
  }
  return Object.freeze(resolved);
}
