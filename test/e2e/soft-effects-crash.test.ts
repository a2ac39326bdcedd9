/**
 * Soft-real-time operations processed transactionally keep exactly-once effects across kill -9: a
 * child writes one row per operation through the store's transaction and is SIGKILLed mid-drain; a
 * fresh process finishes the rest; every operation is `succeeded` and has exactly one row — on
 * SQLite and PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { createIdempotency, type StoreTransaction } from '../../src/idempotency/index.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { EFFECTS_TABLE, writeEffect } from './fixtures/inbox-effects.js';
import { runAndKill } from './kill-child.js';

const child = fileURLToPath(new URL('./fixtures/soft-effects-child.ts', import.meta.url));
const OPERATIONS = 300;

type Count = { body: string; n: number | string };
const countRows = (tx: StoreTransaction): Count[] | Promise<Count[]> => {
  const sql = 'SELECT body, count(*) AS n FROM effects GROUP BY body';
  return tx.dialect === 'sqlite'
    ? (tx.db.prepare(sql).all() as Count[])
    : tx.client.query<Count>(sql).then((r) => r.rows);
};

async function exactlyOnce(storeUrl: string): Promise<void> {
  const setup = await openBallast({ store: storeUrl, retentionSweepMs: 0, bus: false });
  const define = (b: typeof setup) =>
    defineInteraction<{ n: number }, void>({
      name: 'crash.effects',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 600_000,
      visibilityTimeoutSeconds: 1,
    });
  const ids: string[] = [];
  const jobs = define(setup);
  for (let n = 0; n < OPERATIONS; n++) ids.push((await jobs.submit({ n })).operationId);
  const schema = createIdempotency({ store: setup.store });
  await schema.runInTransaction({ key: 'schema-v1' }, (tx) =>
    tx.dialect === 'sqlite'
      ? void tx.db.exec(EFFECTS_TABLE)
      : tx.client.query(EFFECTS_TABLE).then(() => undefined),
  );
  await setup.close();

  const printed = await runAndKill(child, [storeUrl], 100);
  expect(printed.length).toBeGreaterThanOrEqual(100);

  const after = await openBallast({ store: storeUrl, retentionSweepMs: 0, bus: false });
  try {
    const rest = define(after);
    const consumer = await rest.process(
      ({ n }, { transaction }) => writeEffect(transaction, `op-${n}`, () => undefined),
      { transactional: true, waitTimeSeconds: 0 },
    );
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => rest.status(id)))).every(
          (s) => s?.state === 'succeeded',
        ),
      45_000,
    );
    await consumer.stop();
    const idem = createIdempotency({ store: after.store });
    const rows = (await idem.runInTransaction({ key: `count-${Date.now()}` }, countRows)).value;
    const counts = new Map(rows.map((r) => [r.body, Number(r.n)]));
    expect(
      Array.from({ length: OPERATIONS }, (_, n) => `op-${n}`).filter((b) => counts.get(b) !== 1),
    ).toEqual([]);
    expect(counts.size).toBe(OPERATIONS);
  } finally {
    await after.close();
  }
}

describe('soft-real-time, transactional: exactly-once effects across kill -9 (sqlite)', () => {
  it('sqlite', () => exactlyOnce(`sqlite:${tempDbPath()}`), 90_000);
});
describePg('soft-real-time, transactional: exactly-once effects across kill -9 (postgres)', () => {
  it('postgres', () => exactlyOnce(`${PG_URL}?schema=${freshSchema()}`), 90_000);
});
