import { type ConfigProblem, didYouMeanHint, renderProblems } from '../../core/config/problems.js';
import { describeValue } from '../../core/describe-value.js';
import { BallastError } from '../../core/errors.js';
import { suggest } from '../../core/suggest.js';

/** One thing wrong with a topology: `path` is the JSON path (`''` for the whole document). */
export type TopologyProblem = ConfigProblem;

// A message listing thousands of problems helps nobody; all of them stay in `problems`.
const SHOWN = 25;

/** A topology that failed validation (code `InvalidParameterValue`); `problems` lists every one. */
export class TopologyError extends BallastError {
  override readonly name = 'TopologyError';

  /** `source` (a file name) opens the message when given. */
  constructor(
    readonly problems: readonly TopologyProblem[],
    source?: string,
  ) {
    super(
      'InvalidParameterValue',
      renderProblems(
        `invalid topology${source === undefined ? '' : ` ${source}`}`,
        problems,
        SHOWN,
      ),
    );
  }
}

/** Collects problems in document order; `throwIfAny` ends validation with all of them. */
export class Problems {
  readonly list: TopologyProblem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  throwIfAny(source?: string): void {
    if (this.list.length > 0) throw new TopologyError(this.list, source);
  }
}

/** ` (did you mean "x"?)` when something close is known, else ''. */
export function didYouMean(word: string, known: Iterable<string>): string {
  return didYouMeanHint(suggest(word, known), (close) => `"${close}"`);
}

/** A bad value, short, for a message: `-5`, `"abc"`, `an object`. */
export const shown = describeValue;
