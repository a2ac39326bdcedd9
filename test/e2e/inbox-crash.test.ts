/**
 * Exactly-once local effects across kill -9: a transactional idempotent consumer writes one row
 * per message through the store's transaction; the process is SIGKILLed mid-drain, a fresh one
 * drains the rest, and every message's effect exists exactly once — on SQLite and PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { createIdempotency, type StoreTransaction } from '../../src/idempotency/index.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { EFFECTS_TABLE, writeEffect } from './fixtures/inbox-effects.js';
import { runAndKill } from './kill-child.js';

const child = fileURLToPath(new URL('./fixtures/inbox-child.ts', import.meta.url));
const MESSAGES = 600;

type Count = { body: string; n: number | string };
function effectCounts(tx: StoreTransaction): Count[] | Promise<Count[]> {
  const sql = 'SELECT body, count(*) AS n FROM effects GROUP BY body';
  return tx.dialect === 'sqlite'
    ? (tx.db.prepare(sql).all() as Count[])
    : tx.client.query<Count>(sql).then((r) => r.rows);
}

async function exactlyOnceAcrossKill(storeUrl: string): Promise<void> {
  const setup = await openBallast({ store: storeUrl, retentionSweepMs: 0, bus: false });
  const q = await setup.queues.create('inbox', { visibilityTimeout: 1 });
  for (let i = 0; i < MESSAGES; i += 10)
    await q.sendBatch(Array.from({ length: 10 }, (_, j) => ({ id: `e${j}`, body: `m-${i + j}` })));
  const schema = createIdempotency({ store: setup.store });
  await schema.runInTransaction({ key: 'schema-v1' }, (tx) =>
    tx.dialect === 'sqlite'
      ? void tx.db.exec(EFFECTS_TABLE)
      : tx.client.query(EFFECTS_TABLE).then(() => undefined),
  );
  await setup.close();

  const printed = await runAndKill(child, [storeUrl], 200);
  expect(printed.length).toBeGreaterThanOrEqual(200);

  // A fresh process drains the rest (messages the dead one held come back after their visibility).
  const after = await openBallast({ store: storeUrl, retentionSweepMs: 0, bus: false });
  try {
    const idem = createIdempotency({ store: after.store, leaseSeconds: 1 });
    const inbox = await after.queues.get('inbox');
    const consumer = inbox.consume(
      (m, { transaction }) => writeEffect(transaction, m.body, () => undefined),
      {
        idempotency: idem,
        transactional: true,
        retry: { baseSeconds: 0.2, maxSeconds: 1 },
      },
    );
    await waitFor(async () => {
      const d = await inbox.depth();
      return d.visible + d.inFlight + d.delayed === 0;
    }, 30_000);
    await consumer.stop();
    const rows = (await idem.runInTransaction({ key: `count-${Date.now()}` }, effectCounts)).value;
    const counts = new Map(rows.map((r) => [r.body, Number(r.n)]));
    const missing = Array.from({ length: MESSAGES }, (_, i) => `m-${i}`).filter(
      (body) => !counts.has(body),
    );
    const twice = [...counts].filter(([, n]) => n !== 1);
    expect(missing).toEqual([]);
    expect(twice).toEqual([]);
    expect(counts.size).toBe(MESSAGES);
  } finally {
    await after.close();
  }
}

describe('transactional consumer: exactly-once effects across kill -9 (sqlite)', () => {
  it('sqlite', () => exactlyOnceAcrossKill(`sqlite:${tempDbPath()}`), 60_000);
});
describePg('transactional consumer: exactly-once effects across kill -9 (postgres)', () => {
  it('postgres', () => exactlyOnceAcrossKill(`${PG_URL}?schema=${freshSchema()}`), 60_000);
});
