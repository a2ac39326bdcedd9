/**
 * A holder killed with SIGKILL mid-run: its key stays in progress until its lease ends, then
 * exactly one of many concurrent callers takes over — on SQLite, PostgreSQL and Redis.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createIdempotency } from '../../src/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { describeRedis, REDIS_URL } from '../helpers/redis.js';
import { runAndKill } from './kill-child.js';

const child = fileURLToPath(new URL('./fixtures/idem-child.ts', import.meta.url));

async function takeOverAfterKill(storeUrl: string): Promise<void> {
  const key = `crash-${randomUUID()}`;
  const idem = createIdempotency({ store: storeUrl, leaseSeconds: 1 });
  try {
    // Opened (connected, migrated) before the holder dies: after the kill only the first call
    // below must fit in what is left of the holder's 3 s lease, however loaded the machine.
    await idem.run({ key: `${key}-warm-up` }, () => null);
    await runAndKill(child, [storeUrl, key], 1);
    let runs = 0;
    const attempt = () =>
      idem.run({ key, input: { amount: 5 } }, async ({ tookOver }) => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        return { tookOver };
      });
    // Until the dead holder's lease ends, the key is in progress.
    const early = await attempt().then(
      () => 'ran',
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(early).toBe('IdempotencyInProgress');
    let settled: { value: { tookOver: boolean }; replayed: boolean }[] = [];
    const deadline = Date.now() + 10_000;
    while (settled.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const results = await Promise.allSettled(Array.from({ length: 10 }, attempt));
      settled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    }
    expect(runs).toBe(1);
    expect(settled.filter((s) => !s.replayed)).toEqual([
      { value: { tookOver: true }, replayed: false },
    ]);
    expect(await attempt()).toEqual({ value: { tookOver: true }, replayed: true });
  } finally {
    await idem.close();
  }
}

describe('idempotency: a holder killed with SIGKILL is taken over exactly once after its lease (sqlite)', () => {
  it('sqlite', () => takeOverAfterKill(`sqlite:${tempDbPath()}`), 30_000);
});
describePg(
  'idempotency: a holder killed with SIGKILL is taken over exactly once after its lease (postgres)',
  () => {
    it('postgres', () => takeOverAfterKill(`${PG_URL}?schema=${freshSchema()}`), 30_000);
  },
);
describeRedis(
  'idempotency: a holder killed with SIGKILL is taken over exactly once after its lease (redis)',
  () => {
    it('redis', () => takeOverAfterKill(REDIS_URL), 30_000);
  },
);
