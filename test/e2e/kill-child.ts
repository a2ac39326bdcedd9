import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript child (`node --import tsx script ...args`), SIGKILLs it once it has printed
 * `killAfterAcks` lines starting with `acked `, and returns every line it printed.
 */
export async function runAndKill(
  script: string,
  args: readonly string[],
  killAfterAcks: number,
): Promise<string[]> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  let acks = 0;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith('acked ') && ++acks === killAfterAcks) proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
  return lines;
}
