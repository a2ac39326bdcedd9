import type { BackoffSpec, BackoffStrategy, BudgetSpec, RetrySpec } from '../types.js';
import { Fields } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** Backoff strategies a topology may name: `defineInteraction`'s, plus `constant`. */
export const BACKOFF_STRATEGIES: readonly BackoffStrategy[] = ['none', 'constant', 'exponential', 'full-jitter', 'equal-jitter', 'decorrelated-jitter'];

/** `baseMs` and `capMs` when `backoff` names a strategy without them: `defineInteraction`'s (25 ms → 1 s). */
export const DEFAULT_BACKOFF_TIMES = { baseMs: 25, capMs: 1_000 } as const;

/** Defaults of a `budget` (the library's `TokenBucketBudget` and `RatioBudget`). */
export const DEFAULT_BUDGETS = {
  'token-bucket': { kind: 'token-bucket', capacity: 500, retryCost: 5 },
  ratio: { kind: 'ratio', ratio: 0.2, minRetriesPerSecond: 10 },
} as const satisfies Record<BudgetSpec['kind'], BudgetSpec>;

const BUDGET_KINDS = Object.keys(DEFAULT_BUDGETS) as BudgetSpec['kind'][];

/**
 * Reads a `retry` object, in `defineInteraction`'s words: `maxAttempts` (required), `backoff`,
 * `baseMs`, `capMs`, `budget`. Unlike the library, nothing is assumed: no `backoff` means retries
 * at once, no `budget` means none.
 */
export function readRetry(f: Fields | undefined): RetrySpec | undefined {
  if (f === undefined) return undefined;
  const maxAttempts = f.int('maxAttempts', 1, L.maxAttempts, '', true);
  const budget = readBudget(f);
  const backoff = readBackoff(f);
  f.done();
  if (maxAttempts === undefined) return undefined;
  return { maxAttempts, ...(budget ? { budget } : {}), ...(backoff ? { backoff } : {}) };
}

function readBackoff(f: Fields): BackoffSpec | undefined {
  const strategy = f.choice('backoff', BACKOFF_STRATEGIES);
  const base = f.int('baseMs', 0, L.maxMs, 'ms');
  const cap = f.int('capMs', 1, L.maxMs, 'ms');
  if (!f.has('backoff')) {
    // A wait without a strategy is ambiguous; the doctor would rather ask than guess.
    for (const key of ['baseMs', 'capMs']) if (f.has(key)) f.fail(key, 'only goes with backoff (e.g. "backoff": "full-jitter")');
    return undefined;
  }
  if (strategy === undefined) return undefined;
  const baseMs = base ?? DEFAULT_BACKOFF_TIMES.baseMs;
  const capMs = cap ?? Math.max(DEFAULT_BACKOFF_TIMES.capMs, baseMs);
  if (capMs < baseMs) f.fail('capMs', `must be at least baseMs (${baseMs}) (got ${capMs})`);
  return { strategy, baseMs, capMs };
}

/** `"token-bucket"`, `"ratio"`, `"none"`, or an object with `kind` and that kind's parameters. */
function readBudget(parent: Fields): BudgetSpec | undefined {
  const raw = parent.raw('budget');
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    const kind = parent.choice('budget', [...BUDGET_KINDS, 'none'] as const);
    return kind === undefined || kind === 'none' ? undefined : DEFAULT_BUDGETS[kind];
  }
  const f = Fields.of(raw, parent.at('budget'), parent.problems);
  if (f === undefined) return undefined;
  const kind = f.choice('kind', BUDGET_KINDS);
  if (kind === undefined && !f.has('kind')) f.fail('kind', 'is required ("token-bucket" or "ratio")');
  const token = DEFAULT_BUDGETS['token-bucket'];
  const ratio = DEFAULT_BUDGETS.ratio;
  // Every parameter is read, whatever the kind, so misplaced ones are named below.
  const capacity = f.int('capacity', 1, L.maxTokens) ?? token.capacity;
  const retryCost = f.int('retryCost', 1, L.maxTokens) ?? token.retryCost;
  const share = f.fraction('ratio', 1) ?? ratio.ratio;
  const floor = f.int('minRetriesPerSecond', 0, L.maxTokens) ?? ratio.minRetriesPerSecond;
  misplaced(f, kind, { 'token-bucket': ['capacity', 'retryCost'], ratio: ['ratio', 'minRetriesPerSecond'] });
  f.done();
  if (kind === 'token-bucket') return { kind, capacity, retryCost };
  if (kind === 'ratio') return { kind, ratio: share, minRetriesPerSecond: floor };
  return undefined;
}

/** Reports parameters that belong to another kind of budget. */
function misplaced(f: Fields, kind: string | undefined, owners: Record<string, readonly string[]>): void {
  if (kind === undefined) return;
  for (const [owner, keys] of Object.entries(owners)) {
    if (owner === kind) continue;
    for (const key of keys) if (f.has(key)) f.fail(key, `belongs to a "${owner}" budget, not a "${kind}" one`);
  }
}
