import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConcurrencyLimiter } from './load-shedding.js';

/**
 * Publishes a load-shedding limiter: `ballast_load_shedding_in_flight` (gauge),
 * `ballast_load_shedding_admitted_total` and `ballast_load_shedding_shed_total` (counters since start).
 */
export function registerLoadSheddingMetrics(registry: Registry, limiter: ConcurrencyLimiter): void {
  const registers = [registry];
  new Gauge({
    name: 'ballast_load_shedding_in_flight',
    help: 'Requests in flight counted against the limit.',
    registers,
    collect() {
      this.set(limiter.inFlight);
    },
  });
  new Counter({
    name: 'ballast_load_shedding_admitted_total',
    help: 'Requests admitted under the limit.',
    registers,
    collect() {
      this.reset();
      this.inc(limiter.admitted);
    },
  });
  new Counter({
    name: 'ballast_load_shedding_shed_total',
    help: 'Requests refused with 503 at the limit.',
    registers,
    collect() {
      this.reset();
      this.inc(limiter.shed);
    },
  });
}
