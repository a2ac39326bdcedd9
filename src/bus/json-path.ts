import { BallastError } from '../core/errors.js';

/** One step of a path: an object key or an array index. */
export type PathStep = string | number;

const STEP = /^(?:\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/**
 * Parses the JSONPath subset EventBridge paths use: `$`, `.key`, `[0]`, `['key']` / `["key"]`.
 * Throws `ValidationException` naming the offending position.
 */
export function parseJsonPath(path: string, what: string): PathStep[] {
  if (typeof path !== 'string' || !path.startsWith('$')) {
    throw new BallastError(
      'ValidationException',
      `${what} must be a JSONPath starting with $: ${String(path)}`,
    );
  }
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) {
      throw new BallastError(
        'ValidationException',
        `${what} is not a valid JSONPath at position ${path.length - rest.length}: ${path}`,
      );
    }
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** The value at `steps` in `value`, or undefined when the path does not exist. */
export function readPath(value: unknown, steps: readonly PathStep[]): unknown {
  let at: unknown = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(at)) return undefined;
      at = at[step];
    } else {
      if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(at, step)) return undefined;
      at = (at as Record<string, unknown>)[step];
    }
    if (at === undefined) return undefined;
  }
  return at;
}
