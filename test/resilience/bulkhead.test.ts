/** The bulkhead: bounded concurrency, a bounded queue, early refusal, abandoned waits. */
import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../../src/resilience/bulkhead.js';
import { codeOf } from '../helpers/errors.js';

describe('Bulkhead', () => {
  it('runs at most `concurrency` at once, queues up to `queue`, refuses the rest at once', async () => {
    const b = new Bulkhead({ concurrency: 2, queue: 1 });
    const gates: (() => void)[] = [];
    let peak = 0;
    const work = () =>
      b.execute(async () => {
        peak = Math.max(peak, b.running);
        await new Promise<void>((r) => gates.push(r));
        return 'done';
      });
    const calls = [work(), work(), work()];
    await new Promise((r) => setImmediate(r));
    expect([b.running, b.queued]).toEqual([2, 1]);
    let called = false;
    expect(await codeOf(b.execute(async () => (called = true)))).toBe('LimitExceededException');
    expect(called).toBe(false);
    for (let released = 0; released < 3; released++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(calls)).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect([b.running, b.queued]).toEqual([0, 0]);
  });

  it('a waiter whose signal aborts leaves the queue; a failing call frees its place', async () => {
    const b = new Bulkhead({ concurrency: 1, queue: 5 });
    let release!: () => void;
    const first = b.execute(() => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    const abort = new AbortController();
    const waiting = b.execute(async () => 'never', abort.signal);
    expect(b.queued).toBe(1);
    abort.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    expect(b.queued).toBe(0);
    release();
    await first;
    await expect(b.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(b.running).toBe(0);
    expect(() => new Bulkhead({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
