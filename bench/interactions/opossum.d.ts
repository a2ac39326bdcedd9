/**
 * The part of opossum 9's API the interactions benchmark uses. opossum ships no types and
 * `@types/opossum` stops at 8.x (no 9.x exists), so the benchmark declares what it calls.
 */
declare module 'opossum' {
  import { EventEmitter } from 'node:events';

  interface Options {
    /** ms; rejects the call with code ETIMEDOUT (the action keeps running unless it is aborted). */
    timeout?: number | false;
    errorThresholdPercentage?: number;
    resetTimeout?: number;
    rollingCountTimeout?: number;
    rollingCountBuckets?: number;
    volumeThreshold?: number;
  }

  class CircuitBreaker<A extends unknown[] = unknown[], R = unknown> extends EventEmitter {
    constructor(action: (...args: A) => Promise<R>, options?: Options);
    fire(...args: A): Promise<R>;
    shutdown(): void;
    readonly opened: boolean;
    readonly halfOpen: boolean;
    readonly stats: Record<string, number>;
  }

  export default CircuitBreaker;
}
