/**
 * The bus's view of the pattern engine (`ballast/patterns`): one matcher per bus holds every
 * enabled rule; its cost per event does not grow with the number of rules.
 */
import { PatternMatcher, validateEventPattern } from '../patterns/index.js';

/** Matches events against many patterns at once. */
export interface RuleMatcher {
  /** Adds or replaces a pattern (JSON text); throws `InvalidEventPatternException`. */
  add(id: string, pattern: string): void;
  /** Ids of the patterns the (parsed) event matches. */
  match(event: unknown): string[];
}

/** A new, empty matcher. */
export function createMatcher(): RuleMatcher {
  const m = new PatternMatcher();
  return {
    add: (id, pattern) => m.add(id, pattern),
    match: (event) => m.match(event as Record<string, unknown>),
  };
}

/** Validates a pattern (JSON text); throws `InvalidEventPatternException` with the reason and the path. */
export function checkPattern(pattern: string): void {
  validateEventPattern(pattern);
}
