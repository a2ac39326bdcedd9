import { describeValue } from '../../core/describe-value.js';
import { BallastError } from '../../core/errors.js';
import { suggest } from '../../core/suggest.js';

/** One thing wrong with a topology: `path` is the JSON path (`''` for the whole document). */
export interface TopologyProblem {
  readonly path: string;
  readonly message: string;
}

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
    super('InvalidParameterValue', render(problems, source));
  }
}

/** `path: message` lines, one per problem. */
export function problemLines(problems: readonly TopologyProblem[]): string[] {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
}

function render(problems: readonly TopologyProblem[], source?: string): string {
  const head = `invalid topology${source === undefined ? '' : ` ${source}`}`;
  const lines = problemLines(problems);
  if (lines.length === 1) return `${head}: ${lines[0]}`;
  const hidden = lines.length - SHOWN;
  const listed = lines.slice(0, SHOWN).map((l) => `\n  ${l}`).join('');
  return `${head} (${lines.length} problems):${listed}${hidden > 0 ? `\n  … and ${hidden} more` : ''}`;
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
  const close = suggest(word, known);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

/** A bad value, short, for a message: `-5`, `"abc"`, `an object`. */
export const shown = describeValue;
