/** Where CLI commands write; injectable so tests can capture output. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly tty: boolean;
  /** Redraws the progress line in place (only called when `tty`); `last` ends the line. */
  progress?(line: string, last: boolean): void;
}

/** The process's own stdout and stderr. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  tty: Boolean(process.stderr.isTTY),
  progress: (line, last) => process.stderr.write(`\r${line}${last ? '\n' : ''}`),
};

/** Renders rows as an aligned text table. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => String(cell).padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A one-line progress bar: `[#####-----] 50% 500/1000`. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${done}/${total}`;
}
