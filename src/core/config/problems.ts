/** One thing wrong with a config: `path` is the JSON path of the field (`''` for the whole document). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** `path: message` lines, one per problem (a problem of the whole document is its message alone). */
export function problemLines(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
}

/**
 * An error message listing `problems` under `head`: one problem on one line, more as an indented
 * list of at most `shown` lines, then how many more there are (all of them stay in the error's data).
 */
export function renderProblems(
  head: string,
  problems: readonly ConfigProblem[],
  shown: number,
): string {
  const lines = problemLines(problems);
  if (lines.length === 1) return `${head}: ${lines[0]}`;
  const hidden = lines.length - shown;
  const listed = lines
    .slice(0, shown)
    .map((l) => `\n  ${l}`)
    .join('');
  return `${head} (${lines.length} problems):${listed}${hidden > 0 ? `\n  … and ${hidden} more` : ''}`;
}

/** `(did you mean X?)`, with a leading space, when `word` is close to a name in `known`; else `''`. `show` writes the name. */
export function didYouMeanHint(close: string | undefined, show: (name: string) => string): string {
  return close === undefined ? '' : ` (did you mean ${show(close)}?)`;
}
