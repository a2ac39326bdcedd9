/** The circuit breaker's state machine under a fake clock: both triggers, half-open trials, export. */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/resilience/breaker.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { codeOf } from '../helpers/errors.js';

const fail = () => Promise.reject(new Error('down'));
const ok = () => Promise.resolve('up');

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, fails fast while open, then lets one trial call through', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({
      trigger: { kind: 'consecutive', failures: 3 },
      openMs: 5_000,
      clock,
    });
    const states: string[] = [];
    b.onStateChange((s) => states.push(s));
    await expect(b.execute(fail)).rejects.toThrow('down');
    await b.execute(ok); // a success resets the streak
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow('down');
    expect(b.state).toBe('open');
    let called = 0;
    expect(await codeOf(b.execute(async () => (called++, 'x')))).toBe('CircuitOpen');
    expect(called).toBe(0);
    clock.advance(5_000);
    expect(b.state).toBe('half-open');
    const trial = b.acquire();
    expect(() => b.acquire()).toThrow(/circuit is open/); // only one trial at a time
    trial.failure();
    expect(b.state).toBe('open'); // a failed trial reopens for another openMs
    clock.advance(5_000);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('sampling: opens when the failure share over the window reaches the threshold with enough calls', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({
      trigger: { kind: 'sampling', threshold: 0.5, windowMs: 10_000, minCalls: 10 },
      clock,
    });
    for (let i = 0; i < 4; i++) await expect(b.execute(fail)).rejects.toThrow();
    expect(b.state).toBe('closed'); // too few calls to judge
    for (let i = 0; i < 5; i++) await b.execute(ok);
    clock.advance(11_000); // the old failures leave the window
    for (let i = 0; i < 5; i++) await b.execute(ok);
    for (let i = 0; i < 4; i++) await expect(b.execute(fail)).rejects.toThrow();
    expect(b.state).toBe('closed'); // 4 of 9 in the window
    await expect(b.execute(fail)).rejects.toThrow();
    expect(b.state).toBe('open'); // 5 of 10
  });

  it('needs halfOpenCalls successes to close; its state can be exported and restored', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({
      trigger: { kind: 'consecutive', failures: 1 },
      openMs: 1_000,
      halfOpenCalls: 2,
      clock,
    });
    await expect(b.execute(fail)).rejects.toThrow();
    const exported = b.snapshot();
    expect(exported).toMatchObject({ state: 'open', consecutiveFailures: 1 });
    const restored = CircuitBreaker.fromSnapshot(exported, {
      openMs: 1_000,
      halfOpenCalls: 2,
      clock,
    });
    expect(restored.state).toBe('open');
    clock.advance(1_000);
    const [t1, t2] = [restored.acquire(), restored.acquire()];
    t1.success();
    expect(restored.state).toBe('half-open');
    t2.success();
    expect(restored.state).toBe('closed');
    expect(() => new CircuitBreaker({ openMs: 0 })).toThrow(/openMs/);
    expect(
      () =>
        new CircuitBreaker({
          trigger: { kind: 'sampling', threshold: 2, windowMs: 1000, minCalls: 1 },
        }),
    ).toThrow(/threshold/);
  });
});
