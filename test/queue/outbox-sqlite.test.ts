import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { tempDbPath, waitFor, within } from '../helpers/ballast.js';

describe("transactional outbox on SQLite (the caller's own better-sqlite3 Database)", () => {
  let path: string;
  let ballast: Ballast;
  let app: BetterSqlite3.Database;
  // A FakeClock that never moves: a long poll's 1 s re-check never comes, so only a wake-up ends it.
  let clock: FakeClock;
  beforeEach(async () => {
    path = tempDbPath();
    clock = new FakeClock();
    ballast = await openBallast({ store: `sqlite:${path}`, retentionSweepMs: 0, clock });
    app = new BetterSqlite3(path);
    app.pragma('journal_mode = WAL');
    app.pragma('busy_timeout = 5000');
    app.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)');
  });
  afterEach(async () => {
    app.close();
    await ballast.close();
  });

  it("the message commits with the caller's rows, and a waiting consumer is woken after commit", async () => {
    const q = await ballast.queues.create('orders');
    const outbox = await q.outbox();
    const base = clock.pendingSleepers;
    const waiting = q.receive({ waitTimeSeconds: 10 });
    await waitFor(() => clock.pendingSleepers > base); // the poll sleeps
    app.transaction(() => {
      const { lastInsertRowid } = app.prepare('INSERT INTO orders (item) VALUES (?)').run('book');
      outbox.sendSync(app, JSON.stringify({ orderId: Number(lastInsertRowid) }));
    })();
    const [m] = await within(waiting, 'the wake-up after commit');
    expect(JSON.parse(m!.body)).toEqual({ orderId: 1 });
  });

  it('a rolled-back transaction leaves neither the row nor the message', async () => {
    const q = await ballast.queues.create('orders');
    const outbox = await q.outbox();
    expect(() =>
      app.transaction(() => {
        app.prepare('INSERT INTO orders (item) VALUES (?)').run('book');
        outbox.sendSync(app, 'order created');
        throw new Error('payment declined');
      })(),
    ).toThrow('payment declined');
    expect(app.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 0 });
    expect(await q.receive()).toEqual([]);
  });

  it('refuses a database that has no open transaction', async () => {
    const q = await ballast.queues.create('orders');
    const outbox = await q.outbox();
    expect(() => outbox.sendSync(app, 'x')).toThrow(/open transaction/);
    expect(await q.receive()).toEqual([]);
  });
});
