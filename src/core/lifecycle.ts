/**
 * The registry of running long-lived objects (consumers, monitors, servers, background loops).
 * Each one registers when it starts and unregisters when its close/stop has finished, so the test
 * run can fail a file that leaves one running. Outside tests it costs one Map set and delete.
 */
import { fileURLToPath } from 'node:url';

/** One running object as the leak check names it. */
export interface RunningObject {
  /** What it is, e.g. `queue consumer`, `health monitor`. */
  readonly kind: string;
  /** Where it was started (one stack frame), recorded only while `recordOrigins(true)`. */
  readonly origin: string | undefined;
}

const self = fileURLToPath(import.meta.url);
const running = new Map<object, RunningObject>();
let recording = false;

/** Records `owner` as running (again: no-op). `kind` names it in a leak report. */
export function markRunning(owner: object, kind: string): void {
  if (running.has(owner)) return;
  running.set(owner, { kind, origin: recording ? originOf(deepStack()) : undefined });
}

/** Records `owner` as closed; call once its close/stop has finished. */
export function markClosed(owner: object): void {
  running.delete(owner);
}

/** @internal For the test setup: capture where each object starts (a stack per start). */
export function recordOrigins(on: boolean): void {
  recording = on;
}

/** @internal For the leak check: what is running now. */
export function runningObjects(): RunningObject[] {
  return [...running.values()];
}

/** @internal The leak check's message for what is still running, or undefined when nothing is. */
export function describeLeaks(left: readonly RunningObject[]): string | undefined {
  if (left.length === 0) return undefined;
  const lines = left.map((o) => `  - ${o.kind}${o.origin ? ` started at ${o.origin}` : ''}`);
  return `${left.length} long-lived object(s) still running after the file's tests (close or stop them, e.g. with \`await using\`):\n${lines.join('\n')}`;
}

/** A stack deep enough to reach the test that started the object (the default keeps 10 frames). */
function deepStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  try {
    return new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The caller that matters: the first frame in a test file, else the first outside this module and node_modules. */
function originOf(stack: string | undefined): string | undefined {
  const frames = (stack ?? '')
    .split('\n')
    .slice(1)
    // `at fn (file:line:col)` or `at file:line:col`: keep the location only.
    .map((line) => /\((.*)\)$/.exec(line)?.[1] ?? line.trim().replace(/^at /, ''))
    .filter(
      (f) =>
        f.includes(':') &&
        !f.startsWith(self) &&
        !f.includes('node_modules') &&
        !f.startsWith('node:'),
    );
  const frame = frames.find((f) => f.includes('/test/')) ?? frames[0];
  return frame?.replace(`${process.cwd()}/`, '');
}
