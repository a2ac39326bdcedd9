import type { RetryLayer } from '../graph.js';
import { type Check, finding, flagEach, plural } from './check.js';

const retries = (layers: readonly RetryLayer[]): RetryLayer[] =>
  layers.filter((l) => l.retry.maxAttempts > 1);
const who = (l: RetryLayer): string =>
  `${l.caller} retries "${l.callee.name}" (up to ${plural(l.retry.maxAttempts, 'attempt')})`;

/** REL04-BP04/retry-not-idempotent: a retried call that is not idempotent repeats its effect when an attempt timed out after succeeding. */
export const retryNotIdempotent: Check = ({ graph }) =>
  flagEach(
    retries(graph.retryLayers()),
    (l) => !l.idempotent,
    'REL04-BP04/retry-not-idempotent',
    'high',
    (l) => [
      `${who(l)}, but it is not declared idempotent: an attempt that timed out after doing its work is done again (a second charge, a second order).`,
      `Make "${l.callee.name}" idempotent (an idempotency key the caller sends once and reuses on every attempt; ballast/idempotency) and declare idempotent: true — or set maxAttempts 1 here.`,
    ],
  );

/** REL04-BP01/retry-no-budget: a hard real-time interaction retried with no budget, so retries grow with failures. */
export const retryNoBudget: Check = ({ graph }) =>
  flagEach(
    retries(graph.retryLayers()),
    (l) => l.callee.kind === 'hard-real-time' && l.retry.budget === undefined,
    'REL04-BP01/retry-no-budget',
    'medium',
    (l) => [
      `${who(l)} with no retry budget: when "${l.callee.name}" fails, every call retries, and its load grows by up to ${l.retry.maxAttempts}× exactly when it can least take it.`,
      'Add "budget": "token-bucket" (AWS SDK quota: 500 tokens, 5 per retry) or "ratio" (retries ≤ 20 % of requests) to this retry, shared by all calls of the interaction (defineInteraction does this by default).',
    ],
  );

/** REL04-BP01/no-backoff and REL04-BP01/no-jitter: retries that do not wait, or wait in lockstep. */
export const backoffShape: Check = ({ graph }) =>
  retries(graph.retryLayers()).flatMap((l) => {
    const b = l.retry.backoff;
    if (b === undefined || b.strategy === 'none') {
      return [
        finding(
          'REL04-BP01/no-backoff',
          'medium',
          l.place,
          `${who(l)} immediately, with no backoff: the retries land on "${l.callee.name}" while it is still failing.`,
          'Add "backoff": "full-jitter" (capped exponential with full jitter; "baseMs" 25 and "capMs" 1,000 unless given).',
        ),
      ];
    }
    if (b.strategy !== 'constant' && b.strategy !== 'exponential') return [];
    return [
      finding(
        'REL04-BP01/no-jitter',
        'low',
        l.place,
        `${who(l)} with ${b.strategy} backoff and no jitter: callers that failed together retry together, in waves.`,
        `Use "backoff": "full-jitter" (or "decorrelated-jitter"); in simulation it makes the fewest calls and finishes far sooner than plain exponential backoff.`,
      ),
    ];
  });
