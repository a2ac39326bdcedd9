import { BallastError } from '../../../core/errors.js';

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

/** The known name `word` most likely misspells (case aside, at most two edits); undefined if none is close. */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestCost = 3;
  for (const candidate of known) {
    const cost = distance(word.toLowerCase(), candidate.toLowerCase());
    if (cost < bestCost) [best, bestCost] = [candidate, cost];
  }
  return best;
}

/** Edits (insert, delete, replace, swap of neighbours) turning `a` into `b`, counted up to 3. */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 2) return 3;
  // Three rolling rows of the Damerau (optimal string alignment) table.
  let older: number[] = [];
  let prev = [...Array(b.length + 1).keys()];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      let cost = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (same ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, (older[j - 2] ?? 0) + 1);
      row.push(cost);
    }
    [older, prev] = [prev, row];
  }
  return Math.min(3, prev[b.length] ?? 3);
}

/** ` (did you mean "x"?)` when something close is known, else ''. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const close = suggest(word, known);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

/** A bad value, short, for a message: `-5`, `"abc"`, `an object`. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
