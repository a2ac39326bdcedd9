/**
 * The typed form of a validated event pattern (the AST): what `validateEventPattern` returns and
 * what the evaluators and the compiled matcher read. Nothing here knows about JSON text.
 */
import type { CidrBlock } from './cidr.js';
import type { NumericRange } from './numeric.js';
import type { Wildcard } from './wildcard.js';

/** A JSON value that is not an object or an array: what a pattern tests. */
export type JsonLeaf = string | number | boolean | null;

/** What `anything-but` excludes. A leaf that is not excluded (including `null`) matches. */
export type AnythingBut =
  /** Excluded strings and numbers (numbers compare numerically: `300` excludes `300.0`). */
  | {
      readonly kind: 'values';
      readonly strings: readonly string[];
      readonly numbers: readonly number[];
    }
  /** Excludes strings that start with, end with, or equal ignoring case one of `values`. */
  | {
      readonly kind: 'prefix' | 'suffix' | 'equals-ignore-case';
      readonly values: readonly string[];
    }
  /** Excludes strings matching one of the wildcards. */
  | { readonly kind: 'wildcard'; readonly wildcards: readonly Wildcard[] };

/** One entry of a field's array. The entries of one array are OR-ed. */
export type Matcher =
  /** A literal: strings byte-exact, numbers by numeric value, `true`, `false`, `null`. */
  | { readonly kind: 'equals'; readonly value: JsonLeaf }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'wildcard'; readonly wildcard: Wildcard }
  | { readonly kind: 'numeric'; readonly range: NumericRange }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'cidr'; readonly cidr: CidrBlock }
  | { readonly kind: 'anything-but'; readonly but: AnythingBut };

/** One field of a pattern: its event path and the matchers of its array. */
export interface Condition {
  /** Event path, segments joined with `.` (`detail.state`). Dotted keys join the same way. */
  readonly path: string;
  /** `path` split at `.`. */
  readonly segments: readonly string[];
  /** Where the field's array sits in the pattern, as a JSON path (`$.detail.state`). */
  readonly location: string;
  /** The array's entries, OR-ed. */
  readonly matchers: readonly Matcher[];
  /** The array as written in the pattern, for messages. */
  readonly written: string;
}

/** One `$or` combination: every condition must hold (a pattern without `$or` has one). */
export interface Branch {
  readonly conditions: readonly Condition[];
  /** JSON paths of the `$or` entries this combination took, outermost first (empty without `$or`). */
  readonly choices: readonly string[];
}
