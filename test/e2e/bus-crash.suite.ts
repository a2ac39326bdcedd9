import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { runAndKill } from './kill-child.js';
import { waitFor } from '../helpers/ballast.js';

const child = fileURLToPath(new URL('./fixtures/bus-child.ts', import.meta.url));

/**
 * kill -9 while events are published and dispatched: after a restart every acknowledged event
 * reaches the queue target exactly once (dispatch writes the message and removes the event from
 * the inbox in one transaction) and the function target at least once.
 */
export function busCrashTest(describeStore: string, storeUrl: () => Promise<string>): void {
  it(`${describeStore}: acknowledged events survive kill -9; queue targets get each exactly once, functions at least once`, async () => {
    const url = await storeUrl();
    const setup = await openBallast({ store: url, retentionSweepMs: 0, bus: false });
    await setup.queues.create('sink');
    await setup.bus.putRule('all', { eventPattern: { source: ['load'] } });
    await setup.bus.putTargets('all', [
      { id: 'q', arn: setup.queues.arn('sink') },
      { id: 'f', arn: setup.bus.functionArn('audit'), retryPolicy: { maximumRetryAttempts: 185 } },
    ]);
    await setup.close();

    const acked = new Set<string>();
    const handled = new Set<string>();
    for (const killAt of [400, 900]) {
      for (const l of await runAndKill(child, [url], killAt)) {
        if (l.startsWith('acked ')) acked.add(l.slice(6));
        if (l.startsWith('handled ')) handled.add(l.slice(8));
      }
    }

    // Restart: a fresh process dispatches what is left and serves the function target.
    const after = await openBallast({
      store: url,
      retentionSweepMs: 0,
      bus: { worker: { timeoutMs: 1000, retry: { baseSeconds: 0.05, maxSeconds: 0.2 } } },
    });
    after.bus.registerFunction('audit', (e) => void handled.add(String(e.id)));
    const q = await after.queues.get('sink');
    const inQueue = new Map<string, number>();
    await waitFor(async () => {
      for (;;) {
        const got = await q.receive({ maxMessages: 10, visibilityTimeout: 60 });
        if (got.length === 0) break;
        for (const m of got) {
          const id = (JSON.parse(m.body) as { id: string }).id;
          inQueue.set(id, (inQueue.get(id) ?? 0) + 1);
          await q.delete(m.receiptHandle);
        }
      }
      return [...acked].every((id) => inQueue.has(id) && handled.has(id));
    }, 60_000);
    // Let any straggling dispatch land, then check nothing came twice.
    await new Promise((r) => setTimeout(r, 500));
    for (const m of await q.receive({ maxMessages: 10 })) {
      const id = (JSON.parse(m.body) as { id: string }).id;
      inQueue.set(id, (inQueue.get(id) ?? 0) + 1);
    }
    await after.close();

    expect(acked.size).toBeGreaterThanOrEqual(1300);
    expect([...acked].filter((id) => !inQueue.has(id))).toEqual([]);
    expect([...inQueue].filter(([, n]) => n > 1)).toEqual([]);
    expect([...acked].filter((id) => !handled.has(id))).toEqual([]);
  }, 120_000);
}
