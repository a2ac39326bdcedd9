/** `ballast/patterns`: the EventBridge event-pattern language — validate, test, explain, match many rules. */
export { validateEventPattern, ParsedPattern } from './parse.js';
export { testEventPattern, REQUIRED_ENVELOPE_FIELDS, type TestEventOptions } from './evaluate.js';
export {
  explainEventPattern,
  type Explanation,
  type BranchReport,
  type ConditionReport,
} from './explain.js';
export { PatternMatcher, type PatternMatcherOptions } from './matcher.js';
export { DEFAULT_PATTERN_LIMITS, resolvePatternLimits, type PatternLimits } from './limits.js';
export { InvalidPatternError } from './invalid.js';
export type { AnythingBut, Branch, Condition, JsonLeaf, Matcher } from './types.js';
export type { NumericRange } from './numeric.js';
export type { CidrBlock } from './cidr.js';
export type { Wildcard } from './wildcard.js';
