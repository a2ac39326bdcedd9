/**
 * The built `ballast` binary (dist/cli/main.js) for tests that must run what users run. The
 * first caller builds it (`npm run build`) when any file under src/ is newer than the build;
 * concurrent test files wait on one lock directory instead of building twice.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Absolute path of the built CLI. */
export const BUILT_CLI = join(root, 'dist', 'cli', 'main.js');
const lock = join(root, 'dist', '.build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const mtime = (path: string): number => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

const fresh = (): boolean => mtime(BUILT_CLI) >= newestMtime(join(root, 'src'));

/** Makes sure dist/ is built from the current src/ (builds at most once across test files). */
export async function ensureBuilt(): Promise<string> {
  for (;;) {
    if (fresh()) return BUILT_CLI;
    mkdirSync(join(root, 'dist'), { recursive: true });
    // A lock left by a crashed build is taken over after two minutes.
    if (mtime(lock) > 0 && Date.now() - mtime(lock) > 120_000) rmSync(lock, { recursive: true });
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 200)); // another file is building
      continue;
    }
    try {
      if (!fresh()) await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: root });
      return BUILT_CLI;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** What a run of the built binary did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `ballast ARGS` to its end (killed after `timeoutMs`, default 20 s). */
export async function runBuilt(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const cli = await ensureBuilt();
  const env = { ...process.env, ...options.env };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ballast ${args.join(' ')} did not exit in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
