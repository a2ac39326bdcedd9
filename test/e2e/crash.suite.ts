import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { runAndKill } from './kill-child.js';

const child = fileURLToPath(new URL('./fixtures/load-child.ts', import.meta.url));

/**
 * The crash test: a child sends and consumes under load and is `kill -9`ed; after a restart,
 * every acknowledged send is either still stored (and is delivered) or was handled, and nothing
 * was deleted without its handler finishing.
 */
export function crashTest(describeStore: string, storeUrl: () => Promise<string>): void {
  it(`${describeStore}: every acknowledged send survives kill -9 and is delivered; nothing is deleted unhandled`, async () => {
    const url = await storeUrl();
    const setup = await openBallast({ store: url, retentionSweepMs: 0 });
    await setup.queues.create('crash', { visibilityTimeout: 2 });
    await setup.close();

    const acked = new Set<string>();
    const handled = new Set<string>();
    for (const [run, killAt] of [
      ['a', 300],
      ['b', 700],
    ] as const) {
      for (const l of await runAndKill(child, [url, 'crash', run], killAt)) {
        if (l.startsWith('acked ')) acked.add(l.slice(6));
        if (l.startsWith('handled ')) handled.add(l.slice(8));
      }
    }

    // Restart: drain what is left, as a fresh process would.
    const after = await openBallast({ store: url, retentionSweepMs: 0 });
    const q = await after.queues.get('crash');
    const remaining: string[] = [];
    for (;;) {
      const got = await q.receive({ maxMessages: 10, waitTimeSeconds: 3, visibilityTimeout: 60 });
      if (got.length === 0) break;
      remaining.push(...got.map((m) => m.body));
      for (const m of got) await q.delete(m.receiptHandle);
    }
    await after.close();

    const left = new Set(remaining);
    // Lost = acknowledged, not stored any more, and never handled (deleted without an ack).
    const lost = [...acked].filter((body) => !left.has(body) && !handled.has(body));
    expect(acked.size).toBeGreaterThanOrEqual(1000);
    expect(handled.size).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  }, 120_000);
}
