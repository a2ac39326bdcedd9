/** A throughput figure from one phase of one run. */
export interface Rate {
  kind: 'rate';
  /** Messages counted (all of them unless capped). */
  count: number;
  elapsedMs: number;
  /** Messages per second. */
  perSecond: number;
  /** True when the phase hit its time cap before finishing; perSecond is then count / cap. */
  capped: boolean;
}

/** Send → handler-start latency from one run. */
export interface Latency {
  kind: 'latency';
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** True when the time cap ended sampling before the target sample count. */
  capped: boolean;
}

export type Measurement = Rate | Latency;

export function rate(count: number, elapsedMs: number, capped = false): Rate {
  return {
    kind: 'rate',
    count,
    elapsedMs,
    perSecond: elapsedMs > 0 ? (count * 1000) / elapsedMs : 0,
    capped,
  };
}
