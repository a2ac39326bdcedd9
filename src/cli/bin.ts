/**
 * How the `ballast` process ends: with the command's exit code as soon as it returns (a handle a
 * failed startup left open never keeps the process alive), and quietly when the reader of stdout
 * goes away (`ballast queues list | head -3`).
 */
export function runAsBin(main: (argv: string[]) => Promise<number>): void {
  // A closed pipe is the reader saying "enough": stop at once, no stack trace (as `yes | head` does).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`ballast: stdout: ${error.message}\n`);
    process.exit(1);
  });
  main(process.argv.slice(2)).then(
    (code) => exitAfterFlush(code),
    (error: unknown) => {
      // main() answers its commands' errors itself; this reports anything that escapes it.
      process.stderr.write(`ballast: ${error instanceof Error ? error.message : String(error)}\n`);
      exitAfterFlush(1);
    },
  );
}

/** Exits once what was written to stdout and stderr is out (pipes may be asynchronous). */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
