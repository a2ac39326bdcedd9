import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type Ballast, type BallastOptions, openBallast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-test-'));
let n = 0;

/** A fresh SQLite file path for one test. */
export const tempDbPath = (): string => join(dir, `b${process.pid}-${n++}.db`);

/** Opens Ballast on a fresh SQLite file. */
export function openTestBallast(options: Omit<BallastOptions, 'store'> = {}): Promise<Ballast> {
  // Exact counts in tests: they assert depth right after changing it.
  return openBallast({
    store: `sqlite:${tempDbPath()}`,
    retentionSweepMs: 0,
    statsTtlMs: 0,
    ...options,
  });
}

/**
 * Waits until `condition` holds (polling every 5 ms), failing after `timeoutMs`. The default is
 * generous on purpose: it only bounds how long a broken test takes to fail, and a loaded machine
 * (a CI runner, a laptop building) can take seconds for what takes milliseconds when idle.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Resolves as `promise` does, or rejects with "`what` did not happen" after `timeoutMs` of real
 * time: for an event that must come without the (fake) clock moving, so a missing one fails
 * with a message instead of the test's timeout.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Moves `clock` on by `stepMs` every few ms of real time until `condition` holds, failing after
 * `timeoutMs` of real time. For code that reads the time, awaits the store, then sleeps: one big
 * advance landing in between would leave it asleep past the moment under test. The condition is
 * checked before each step, so time overshoots it by at most one step.
 */
export async function advanceUntil(
  clock: FakeClock,
  condition: () => boolean | Promise<boolean>,
  stepMs: number,
  timeoutMs = 15_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Registers beforeEach/afterEach that open a fresh Ballast on a FakeClock; read `.b` and `.clock` inside tests. */
export function useTestBallast(): { b: Ballast; clock: FakeClock } {
  const fixture = {} as { b: Ballast; clock: FakeClock };
  beforeEach(async () => {
    fixture.clock = new FakeClock();
    fixture.b = await openTestBallast({ clock: fixture.clock });
  });
  afterEach(() => fixture.b.close());
  return fixture;
}
