/**
 * How a bad pattern is reported: AWS's `InvalidEventPatternException` message
 * (`Event pattern is not valid. Reason: …`, reference/eventbridge.md §4) plus where in the
 * pattern the problem is, as a JSON path.
 */
import { BallastError } from '../core/errors.js';

/** A step into a pattern: an object key or an array index. */
export type PatternStep = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renders steps as a JSON path: `$.detail["c-count"][0].numeric`. */
export function jsonPath(steps: readonly PatternStep[]): string {
  let out = '$';
  for (const step of steps) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** A pattern Ballast (and AWS) rejects. `reason` is AWS's text where AWS has one. */
export class InvalidPatternError extends BallastError {
  /** What is wrong, without the location. */
  readonly reason: string;
  /** Where, as a JSON path into the pattern (`$` is the whole pattern). */
  readonly location: string;

  constructor(reason: string, location: string) {
    super(
      'InvalidEventPatternException',
      `Event pattern is not valid. Reason: ${reason} (at ${location})`,
    );
    this.reason = reason;
    this.location = location;
  }
}

/** Throws `InvalidPatternError` for the pattern position `steps`. */
export function invalid(reason: string, steps: readonly PatternStep[]): never {
  throw new InvalidPatternError(reason, jsonPath(steps));
}

/** The single key of an operator object (`{"prefix": …}`); an empty or many-keyed one is invalid. */
export function soleKey(value: Record<string, unknown>, at: readonly PatternStep[]): string {
  const keys = Object.keys(value);
  if (keys.length === 0) invalid('Empty objects are not allowed', at);
  if (keys.length > 1) invalid('Only one key allowed in match expression', at);
  return keys[0]!;
}
