/**
 * A real PostgreSQL restart mid-consumption, on a private throwaway server (its own data
 * directory and port), so the shared test database is never disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { waitFor } from '../helpers/ballast.js';
import { type PrivatePg, privatePgUnavailable, startPrivatePg } from '../helpers/private-pg.js';

if (privatePgUnavailable) console.warn(`PostgreSQL restart test skipped: ${privatePgUnavailable}`);

describe.skipIf(privatePgUnavailable !== undefined)('PostgreSQL restarted mid-consumption', () => {
  let server: PrivatePg;
  beforeAll(async () => {
    server = await startPrivatePg();
  }, 60_000);
  afterAll(() => server.destroy());

  it('consumers and senders recover by themselves; every acknowledged send is handled', async () => {
    const ballast: Ballast = await openBallast({ store: server.url, retentionSweepMs: 0 });
    try {
      const q = await ballast.queues.create('restart', { visibilityTimeout: 5 });
      const handled = new Set<string>();
      const consumer = q.consume(
        async (m) => {
          handled.add(m.body);
        },
        { concurrency: 10, waitTimeSeconds: 1 },
      );
      const firstStart = await server.startedAt();
      const acked: string[] = [];
      let restarted = false;
      const send = async (body: string) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await q.send(body);
            acked.push(body);
            return;
          } catch (error) {
            if (attempt > 100) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      for (let i = 0; i < 300; i++) {
        await send(`m${i}`);
        if (i === 150) {
          // Fast shutdown terminates every connection; the server comes back on the same port.
          server.restart();
          restarted = true;
        }
      }
      await waitFor(() => acked.every((b) => handled.has(b)), 30_000);
      await consumer.stop();
      expect(restarted).toBe(true);
      expect(acked.length).toBe(300);
      expect(acked.filter((b) => !handled.has(b))).toEqual([]);
      // It really was a new server process underneath.
      expect(await server.startedAt()).not.toBe(firstStart);
    } finally {
      await ballast.close();
    }
  }, 90_000);
});
