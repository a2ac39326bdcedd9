/** Interactions on a prom-client registry: the stats() counters and the breaker state, read at scrape time. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { registerInteractionMetrics } from '../../src/interactions/metrics.js';

const down = () => Promise.reject(Object.assign(new Error('503'), { status: 503 }));

describe('registerInteractionMetrics', () => {
  it("publishes each interaction's counters and breaker state, current at every scrape", async () => {
    const a = defineInteraction({
      name: 'stock.reserve',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      idempotent: true,
      retry: { backoff: 'none' },
      breaker: { trigger: { kind: 'consecutive', failures: 2 } },
    });
    const b = defineInteraction({
      name: 'prices.get',
      kind: 'hard-real-time',
      deadlineMs: 1_000,
      breaker: false,
      fallback: () => 'cached',
    });
    const registry = new Registry();
    registerInteractionMetrics(registry, [a, b] as never);
    await a.call(() => 'ok');
    await expect(a.call(down)).rejects.toThrow();
    await b.call(down);
    let text = await registry.metrics();
    expect(text).toContain('ballast_interaction_calls_total{interaction="stock.reserve"} 2');
    expect(text).toContain('ballast_interaction_attempts_total{interaction="stock.reserve"} 4');
    expect(text).toContain('ballast_interaction_retries_total{interaction="stock.reserve"} 2');
    expect(text).toContain('ballast_interaction_fallbacks_total{interaction="prices.get"} 1');
    expect(text).toContain('ballast_interaction_breaker_state{interaction="stock.reserve"} 0');
    expect(text).not.toContain('ballast_interaction_breaker_state{interaction="prices.get"}');
    await expect(a.call(down)).rejects.toThrow();
    await expect(a.call(down)).rejects.toThrow();
    text = await registry.metrics();
    expect(text).toContain('ballast_interaction_breaker_state{interaction="stock.reserve"} 2');
    expect(text).toContain('ballast_interaction_calls_total{interaction="stock.reserve"} 4');
  });
});
