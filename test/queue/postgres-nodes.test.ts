import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor, within } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';

describePg('queues on PostgreSQL: several nodes, connection loss, outbox', () => {
  const open: Ballast[] = [];
  const node = async (url: string, clock?: FakeClock): Promise<Ballast> => {
    const b = await openBallast({ store: url, retentionSweepMs: 0, ...(clock ? { clock } : {}) });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('two nodes consuming one queue never hold one message at the same time, and process each once', async () => {
    const url = `${PG_URL}?schema=${freshSchema()}`;
    const [a, b] = [await node(url), await node(url)];
    const qa = await a.queues.create('shared', { visibilityTimeout: 30 });
    const qb = await b.queues.get('shared');
    const total = 1_000;
    for (let i = 0; i < total; i += 10) {
      await qa.sendBatch(Array.from({ length: 10 }, (_, j) => ({ body: String(i + j) })));
    }
    const holding = new Set<string>();
    const seen: string[] = [];
    let overlap = 0;
    const handler = async (m: { body: string }) => {
      if (holding.has(m.body)) overlap++;
      holding.add(m.body);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(m.body);
      holding.delete(m.body);
    };
    const ca = qa.consume(handler, { concurrency: 10, waitTimeSeconds: 1 });
    const cb = qb.consume(handler, { concurrency: 10, waitTimeSeconds: 1 });
    await waitFor(() => seen.length >= total, 30_000);
    await Promise.all([ca.stop(), cb.stop()]);
    expect(overlap).toBe(0);
    expect(new Set(seen).size).toBe(total);
    expect(seen.length).toBe(total);
  });

  it('a long poll on node B returns when node A sends (LISTEN/NOTIFY)', async () => {
    const url = `${PG_URL}?schema=${freshSchema()}`;
    // Both nodes on one FakeClock that never moves: node B's 5 s safety re-check never comes, so
    // only the notification can end its poll.
    const clock = new FakeClock();
    const [a, b] = [await node(url, clock), await node(url, clock)];
    const qa = await a.queues.create('wake');
    const qb = await b.queues.get('wake');
    const base = clock.pendingSleepers;
    const pending = qb.receive({ waitTimeSeconds: 20 });
    await waitFor(() => clock.pendingSleepers > base); // node B's poll sleeps
    await qa.send('ping');
    expect((await within(pending, "node B's wake-up by node A's send")).map((m) => m.body)).toEqual(
      ['ping'],
    );
  });

  it('a consumer recovers by itself after every database connection is killed mid-consumption', async () => {
    const app = `ballast_kill_${Date.now()}`;
    const url = `${PG_URL}?schema=${freshSchema()}&application_name=${app}`;
    const b = await node(url);
    const q = await b.queues.create('recover', { visibilityTimeout: 5 });
    const done = new Set<string>();
    const c = q.consume(
      async (m) => {
        await new Promise((r) => setTimeout(r, 2));
        done.add(m.body);
      },
      { concurrency: 10, waitTimeSeconds: 1 },
    );
    await q.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `before-${i}` })));
    await waitFor(() => done.size >= 5, 10_000);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    // Sends retry until the pool has fresh connections.
    for (let i = 0; i < 10; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          await q.send(`after-${i}`);
          break;
        } catch (error) {
          if (attempt > 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    await waitFor(() => [...Array(10).keys()].every((i) => done.has(`after-${i}`)), 20_000);
    await c.stop();
    expect(done.size).toBeGreaterThanOrEqual(20);
  });

  it("outbox: the message commits with the caller's transaction on its own pg client, or not at all", async () => {
    const schema = freshSchema();
    const b = await node(`${PG_URL}?schema=${schema}`);
    const q = await b.queues.create('outbox');
    const outbox = await q.outbox();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".orders (id serial PRIMARY KEY, item text)`,
      );
      await client.query('BEGIN');
      await client.query(`INSERT INTO "${schema}".orders (item) VALUES ('lost')`);
      await outbox.send(client, 'rolled back');
      await client.query('ROLLBACK');

      const waiting = q.receive({ waitTimeSeconds: 10 });
      await client.query('BEGIN');
      await client.query(`INSERT INTO "${schema}".orders (item) VALUES ('book')`);
      await outbox.send(client, 'order created');
      // Not visible before commit.
      expect(await q.receive()).toEqual([]);
      await client.query('COMMIT');
      expect((await waiting).map((m) => m.body)).toEqual(['order created']);
      expect(await q.receive()).toEqual([]);
      const rows = await client.query(`SELECT item FROM "${schema}".orders`);
      expect(rows.rows).toEqual([{ item: 'book' }]);
    } finally {
      await client.end();
    }
  });
});
