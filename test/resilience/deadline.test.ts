/** Deadlines under a fake clock: remaining time, abort on expiry, children bounded by parents, the header. */
import { describe, expect, it } from 'vitest';
import { Deadline, DEADLINE_HEADER } from '../../src/resilience/deadline.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('Deadline', () => {
  it('counts down, and its signal aborts with DeadlineExceeded when it passes', async () => {
    const clock = new FakeClock();
    const d = Deadline.after(1_000, clock);
    const signal = d.signal;
    clock.advance(400);
    expect(d.remaining()).toBe(600);
    expect(d.toHeader()).toBe('600');
    expect(signal.aborted).toBe(false);
    clock.advance(600);
    await settle();
    expect(d.expired).toBe(true);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as { code?: string }).code).toBe('DeadlineExceeded');
  });

  it('a child never outlives its parent and is aborted with it', async () => {
    const clock = new FakeClock();
    const parent = Deadline.after(1_000, clock);
    expect(parent.child(5_000).remaining()).toBe(1_000);
    const short = parent.child(200);
    expect(short.remaining()).toBe(200);
    const child = parent.child();
    const signal = child.signal;
    clock.advance(1_000);
    await settle();
    expect(signal.aborted).toBe(true);
  });

  it('reads the remaining budget from the header; refuses malformed or absurd values', () => {
    const clock = new FakeClock();
    expect(Deadline.fromHeader(undefined, clock)).toBeUndefined();
    expect(Deadline.fromHeader('250', clock)?.remaining()).toBe(250);
    expect(Deadline.fromHeader(['75', '9'], clock)?.remaining()).toBe(75);
    for (const bad of ['', '-5', '1.5', 'soon', '86400001', '9999999999']) {
      expect(() => Deadline.fromHeader(bad, clock), bad).toThrow(new RegExp(DEADLINE_HEADER));
    }
    expect(() => Deadline.after(-1, clock)).toThrow(/non-negative/);
  });

  it('dispose stops the timer behind the signal', async () => {
    const clock = new FakeClock();
    const d = Deadline.after(1_000, clock);
    void d.signal;
    expect(clock.pendingSleepers).toBe(1);
    d.dispose();
    await settle();
    expect(clock.pendingSleepers).toBe(0);
  });
});

describe('Deadline.onEnd and timers', () => {
  it('calls listeners once when it passes (at once when already past), and unsubscribes', () => {
    const clock = new FakeClock();
    const d = Deadline.after(100, clock);
    const seen: string[] = [];
    d.onEnd(() => seen.push('a'));
    const off = d.onEnd(() => seen.push('b'));
    off();
    clock.advance(99);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual(['a']);
    expect(d.expired).toBe(true);
    d.onEnd(() => seen.push('late'));
    expect(seen).toEqual(['a', 'late']);
    clock.advance(1_000);
    expect(seen).toEqual(['a', 'late']);
  });

  it('arms one timer only when something listens; a child ending with its parent cancels its own; dispose leaves none', () => {
    const clock = new FakeClock();
    const parent = Deadline.after(1_000, clock);
    expect(clock.pendingSleepers).toBe(0); // nothing listens yet
    const child = parent.child(500);
    expect(clock.pendingSleepers).toBe(1); // the parent's, for the child
    void child.signal;
    expect(clock.pendingSleepers).toBe(2);
    child.dispose();
    expect(clock.pendingSleepers).toBe(1);
    const other = parent.child(5_000);
    void other.signal;
    clock.advance(1_000);
    expect(other.signal.aborted).toBe(true);
    expect(clock.pendingSleepers).toBe(0);
    parent.dispose();
  });
});

describe('Deadline end announcements', () => {
  it('a listener that throws does not keep the others from hearing; an unsubscribe during the end holds; a disposed deadline does not end', async () => {
    const clock = new FakeClock();
    const a = Deadline.after(100, clock);
    const b = Deadline.after(100, clock);
    const heard: string[] = [];
    const thrown: unknown[] = [];
    const onUncaught = (e: unknown) => thrown.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      let offLater = () => undefined as void;
      a.onEnd(() => {
        offLater();
        b.dispose();
        throw new Error('listener failed');
      });
      a.onEnd(() => heard.push('second'));
      offLater = a.onEnd(() => heard.push('unsubscribed'));
      b.onEnd(() => heard.push('b'));
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(heard).toEqual(['second']);
    expect(String(thrown[0])).toContain('listener failed');
    expect(b.expired).toBe(true); // its time has passed…
    expect(b.signal.aborted).toBe(false); // …but, disposed, it never ended
  });
});
