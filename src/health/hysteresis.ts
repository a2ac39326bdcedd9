import type { EndpointState } from './types.js';

/** Wire codes (see `STATE_CODES`). */
export const UNKNOWN = 0;
export const HEALTHY = 1;
export const UNHEALTHY = 2;

/**
 * Per-endpoint hysteresis over typed arrays (no object per endpoint): an endpoint turns healthy
 * after `healthyThreshold` consecutive successes and unhealthy after `unhealthyThreshold`
 * consecutive failures; until then it keeps its state (unknown at first).
 */
export class Hysteresis {
  /** State code per endpoint slot. */
  readonly states: Uint8Array;
  readonly #streak: Int16Array; // > 0: consecutive successes, < 0: consecutive failures

  constructor(
    count: number,
    readonly healthyThreshold: number,
    readonly unhealthyThreshold: number,
  ) {
    this.states = new Uint8Array(count);
    this.#streak = new Int16Array(count);
  }

  /** Records one probe result of slot `i`; returns true when its state flipped. */
  record(i: number, ok: boolean): boolean {
    const streak = this.#streak[i]!;
    const next = ok ? (streak > 0 ? streak + 1 : 1) : streak < 0 ? streak - 1 : -1;
    this.#streak[i] = Math.max(-1000, Math.min(1000, next));
    const was = this.states[i]!;
    const now = ok
      ? next >= this.healthyThreshold
        ? HEALTHY
        : was
      : -next >= this.unhealthyThreshold
        ? UNHEALTHY
        : was;
    this.states[i] = now;
    return now !== was;
  }

  /** Copies the state and streak of slot `from` in `source` into slot `to` (a layout change keeps what it knew). */
  carry(source: Hysteresis, from: number, to: number): void {
    this.states[to] = source.states[from]!;
    this.#streak[to] = source.#streak[from]!;
  }

  /** The state of slot `i`. */
  stateOf(i: number): EndpointState {
    const code = this.states[i];
    return code === HEALTHY ? 'healthy' : code === UNHEALTHY ? 'unhealthy' : 'unknown';
  }
}
