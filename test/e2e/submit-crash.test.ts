/**
 * Soft-real-time submissions survive kill -9: a child submits requests and is SIGKILLed mid-stream;
 * every submission it acknowledged is then processed by a fresh process, exactly once — SQLite and PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { runAndKill } from './kill-child.js';

const child = fileURLToPath(new URL('./fixtures/submit-child.ts', import.meta.url));

async function acknowledgedSurvive(storeUrl: string): Promise<void> {
  const printed = await runAndKill(child, [storeUrl], 150);
  const acked = printed.filter((l) => l.startsWith('acked ')).map((l) => l.split(' ')[1]!);
  expect(acked.length).toBeGreaterThanOrEqual(150);

  const b = await openBallast({ store: storeUrl, retentionSweepMs: 0, bus: false });
  try {
    const jobs = defineInteraction<{ n: number }, number>({
      name: 'crash.jobs',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 600_000,
    });
    for (const id of acked) expect((await jobs.status(id))?.state).toBe('pending');
    const runs = new Map<number, number>();
    const consumer = await jobs.process(({ n }) => (runs.set(n, (runs.get(n) ?? 0) + 1), n), {
      concurrency: 10,
      waitTimeSeconds: 0,
    });
    const queue = await b.queues.get(jobs.queueName);
    await waitFor(async () => {
      const d = await queue.depth();
      return d.visible + d.inFlight + d.delayed === 0;
    }, 30_000);
    await consumer.stop();
    const states = await Promise.all(acked.map((id) => jobs.status(id)));
    expect(states.filter((s) => s?.state !== 'succeeded')).toEqual([]);
    // Each acknowledged request ran once; at most one more (sent, not yet acknowledged when killed) may exist.
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(runs.size - acked.length).toBeLessThanOrEqual(1);
  } finally {
    await b.close();
  }
}

describe('soft-real-time submit across kill -9 (SQLite)', () => {
  it(
    'every acknowledged submission is processed after the crash',
    () => acknowledgedSurvive(`sqlite:${tempDbPath()}`),
    60_000,
  );
});

describePg('soft-real-time submit across kill -9 (PostgreSQL)', () => {
  it(
    'every acknowledged submission is processed after the crash',
    () => acknowledgedSurvive(`${PG_URL}?schema=${freshSchema()}`),
    60_000,
  );
});
