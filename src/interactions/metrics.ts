import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState } from '../resilience/breaker.js';
import type { HardRealTimeInteraction, InteractionStats } from './hard-real-time.js';

/** Counters of `InteractionStats` and their metric names (`ballast_interaction_<name>_total`). */
const COUNTERS: readonly [keyof InteractionStats, string, string][] = [
  ['calls', 'calls', 'Calls made.'],
  ['succeeded', 'succeeded', 'Calls that returned a value (fallbacks not included).'],
  ['failed', 'failed', 'Calls that failed (answered by the fallback or not).'],
  ['attempts', 'attempts', 'Attempts, first attempts and retries.'],
  ['retries', 'retries', 'Retries made.'],
  ['retriesRefused', 'retries_refused', 'Retries the retry budget refused.'],
  ['shortCircuited', 'short_circuited', 'Attempts refused by an open circuit (nothing called).'],
  ['attemptTimeouts', 'attempt_timeouts', 'Attempts cut off by their own timeout.'],
  ['deadlineExceeded', 'deadline_exceeded', 'Calls that ran out of their deadline.'],
  ['bulkheadRejected', 'bulkhead_rejected', 'Calls refused by a full bulkhead.'],
  ['fallbacks', 'fallbacks', 'Calls answered by the fallback.'],
];

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Publishes hard-real-time interactions on a prom-client `Registry`, read at scrape time:
 * `ballast_interaction_<counter>_total{interaction}` for every `stats()` counter, and
 * `ballast_interaction_breaker_state{interaction}` (0 closed, 1 half-open, 2 open).
 */
export function registerInteractionMetrics(
  registry: Registry,
  interactions: readonly HardRealTimeInteraction<unknown>[],
): void {
  const registers = [registry];
  for (const [key, suffix, help] of COUNTERS) {
    new Counter({
      name: `ballast_interaction_${suffix}_total`,
      help,
      labelNames: ['interaction'],
      registers,
      collect() {
        // The interactions keep the running totals; a scrape copies them.
        this.reset();
        for (const i of interactions) this.inc({ interaction: i.name }, i.stats()[key]);
      },
    });
  }
  new Gauge({
    name: 'ballast_interaction_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open (interactions with a breaker only).',
    labelNames: ['interaction'],
    registers,
    collect() {
      this.reset();
      for (const i of interactions)
        if (i.breaker) this.set({ interaction: i.name }, BREAKER_VALUE[i.breaker.state]);
    },
  });
}
