import * as v from 'valibot';
import type { FieldCheck } from '../../core/config/schema.js';
import type { BackoffSpec, BackoffStrategy, BudgetSpec, RetrySpec } from '../types.js';
import { choice, fraction, int, object } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** Backoff strategies a topology may name: `defineInteraction`'s, plus `constant`. */
export const BACKOFF_STRATEGIES: readonly BackoffStrategy[] = [
  'none',
  'constant',
  'exponential',
  'full-jitter',
  'equal-jitter',
  'decorrelated-jitter',
];

/** `baseMs` and `capMs` when `backoff` names a strategy without them: `defineInteraction`'s (25 ms → 1 s). */
export const DEFAULT_BACKOFF_TIMES = { baseMs: 25, capMs: 1_000 } as const;

/** Defaults of a `budget` (the library's `TokenBucketBudget` and `RatioBudget`). */
export const DEFAULT_BUDGETS = {
  'token-bucket': { kind: 'token-bucket', capacity: 500, retryCost: 5 },
  ratio: { kind: 'ratio', ratio: 0.2, minRetriesPerSecond: 10 },
} as const satisfies Record<BudgetSpec['kind'], BudgetSpec>;

const BUDGET_KINDS = Object.keys(DEFAULT_BUDGETS) as BudgetSpec['kind'][];
// Which parameters belong to which kind of budget.
const PARAMETERS: Record<
  BudgetSpec['kind'],
  readonly ('capacity' | 'retryCost' | 'ratio' | 'minRetriesPerSecond')[]
> = {
  'token-bucket': ['capacity', 'retryCost'],
  ratio: ['ratio', 'minRetriesPerSecond'],
};

/** A budget object: `kind` and that kind's parameters (every parameter is known, so misplaced ones are named). */
const BUDGET_OBJECT = object(
  {
    kind: choice(BUDGET_KINDS),
    capacity: v.optional(int(1, L.maxTokens)),
    retryCost: v.optional(int(1, L.maxTokens)),
    ratio: v.optional(fraction(1)),
    minRetriesPerSecond: v.optional(int(0, L.maxTokens)),
  },
  {
    required: { kind: 'is required ("token-bucket" or "ratio")' },
    check: (f) => {
      const kind = f.valid('kind');
      if (kind === undefined) return;
      for (const [owner, keys] of Object.entries(PARAMETERS)) {
        if (owner === kind) continue;
        for (const key of keys)
          if (f.has(key)) f.report([key], `belongs to a "${owner}" budget, not a "${kind}" one`);
      }
    },
  },
);

/** `"token-bucket"`, `"ratio"`, `"none"`, or an object with `kind` and that kind's parameters. */
const BUDGET = v.lazy((input) =>
  typeof input === 'string' ? choice([...BUDGET_KINDS, 'none'] as const) : BUDGET_OBJECT,
);

const RETRY_FIELDS = {
  maxAttempts: int(1, L.maxAttempts),
  budget: v.optional(BUDGET),
  backoff: v.optional(choice(BACKOFF_STRATEGIES)),
  baseMs: v.optional(int(0, L.maxMs, 'ms')),
  capMs: v.optional(int(1, L.maxMs, 'ms')),
};

/**
 * A `retry` object, in `defineInteraction`'s words: `maxAttempts` (required), `backoff`,
 * `baseMs`, `capMs`, `budget`. Unlike the library, nothing is assumed: no `backoff` means retries
 * at once, no `budget` means none.
 */
export const RETRY = object(RETRY_FIELDS, { check: checkBackoff });

function checkBackoff(f: FieldCheck<typeof RETRY_FIELDS>): void {
  if (!f.has('backoff')) {
    // A wait without a strategy is ambiguous; the doctor would rather ask than guess.
    for (const key of ['baseMs', 'capMs'] as const)
      if (f.has(key))
        f.reportAfter('capMs', 'only goes with backoff (e.g. "backoff": "full-jitter")', [key]);
    return;
  }
  if (f.valid('backoff') === undefined) return;
  const { baseMs, capMs } = backoffTimes(f.valid('baseMs'), f.valid('capMs'));
  if (capMs < baseMs) f.report(['capMs'], `must be at least baseMs (${baseMs}) (got ${capMs})`);
}

/** A validated `retry` as the doctor's `RetrySpec`, defaults filled in. */
export function toRetry(r: v.InferOutput<typeof RETRY>): RetrySpec {
  const budget = toBudget(r.budget);
  const backoff: BackoffSpec | undefined =
    r.backoff === undefined
      ? undefined
      : { strategy: r.backoff, ...backoffTimes(r.baseMs, r.capMs) };
  return {
    maxAttempts: r.maxAttempts,
    ...(budget ? { budget } : {}),
    ...(backoff ? { backoff } : {}),
  };
}

function toBudget(b: v.InferOutput<typeof BUDGET> | undefined): BudgetSpec | undefined {
  if (b === undefined || b === 'none') return undefined;
  if (typeof b === 'string') return DEFAULT_BUDGETS[b];
  const token = DEFAULT_BUDGETS['token-bucket'];
  const ratio = DEFAULT_BUDGETS.ratio;
  if (b.kind === 'token-bucket')
    return {
      kind: b.kind,
      capacity: b.capacity ?? token.capacity,
      retryCost: b.retryCost ?? token.retryCost,
    };
  return {
    kind: b.kind,
    ratio: b.ratio ?? ratio.ratio,
    minRetriesPerSecond: b.minRetriesPerSecond ?? ratio.minRetriesPerSecond,
  };
}

function backoffTimes(
  base: number | undefined,
  cap: number | undefined,
): { baseMs: number; capMs: number } {
  const baseMs = base ?? DEFAULT_BACKOFF_TIMES.baseMs;
  return { baseMs, capMs: cap ?? Math.max(DEFAULT_BACKOFF_TIMES.capMs, baseMs) };
}
