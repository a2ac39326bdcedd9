/**
 * The known name `word` most likely misspells: the same letters in another case, or at most two
 * edits away (insert, delete, replace, swap of neighbours); undefined if none is that close.
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestCost = 3;
  for (const candidate of known) {
    const cost = distance(word.toLowerCase(), candidate.toLowerCase());
    if (cost < bestCost) [best, bestCost] = [candidate, cost];
  }
  return best;
}

/** Edits turning `a` into `b` (optimal string alignment), counted up to 3. */
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
      let cost = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (same ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        cost = Math.min(cost, (older[j - 2] ?? 0) + 1);
      row.push(cost);
    }
    [older, prev] = [prev, row];
  }
  return Math.min(3, prev[b.length] ?? 3);
}
