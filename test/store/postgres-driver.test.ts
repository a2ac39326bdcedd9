/**
 * What the PostgreSQL driver promises beyond the shared contract: its options, its lifecycle,
 * the database clock, group commit, and sends inside the caller's own transaction.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/queue/settings.js';
import type { QueueRecord, Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { testMessage } from '../helpers/messages.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { codeOf } from '../helpers/errors.js';

const msg = testMessage;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('postgres driver: opening', () => {
  it('rejects a URL that is not a PostgreSQL URL', async () => {
    expect(await codeOf(openPostgresStore('not a url'))).toBe('InvalidStoreUrl');
    expect(await codeOf(openPostgresStore('mysql://localhost/x'))).toBe('InvalidStoreUrl');
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    expect(await codeOf(openPostgresStore(PG_URL, { schema: 'a;drop' }))).toBe(
      'InvalidParameterValue',
    );
    expect(await codeOf(openPostgresStore(`${PG_URL}?schema=bad-name`))).toBe(
      'InvalidParameterValue',
    );
  });

  it('reports StoreUnavailable when the server cannot be reached', async () => {
    expect(await codeOf(openPostgresStore('postgres://postgres@127.0.0.1:1/test'))).toBe(
      'StoreUnavailable',
    );
  });
});

describePg('postgres driver', () => {
  let admin: pg.Client;
  const open: Store[] = [];
  const track = (store: Store): Store => {
    open.push(store);
    return store;
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    admin.on('error', () => undefined);
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
  });

  async function create(store: Store, name: string, fifo = false): Promise<QueueRecord> {
    const r = await store.queues.createQueue(name, { ...DEFAULT_QUEUE_SETTINGS, fifo }, {}, 60_000);
    if (r.status === 'deletedRecently') throw new Error('unexpected deletedRecently');
    return r.queue;
  }

  describe('options and lifecycle', () => {
    it('takes the schema from ?schema= in the URL and creates it', async () => {
      const schema = freshSchema();
      const store = track(await openPostgresStore(`${PG_URL}?schema=${schema}`));
      await create(store, 'q');
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".queues`);
      expect(rows[0].n).toBe(1);
    });

    it('closes idempotently, and answers Closed afterwards', async () => {
      const store = await openPostgresStore(PG_URL, { schema: freshSchema() });
      await store.close();
      await store.close();
      expect(await codeOf(store.ping())).toBe('Closed');
      expect(await codeOf(store.queues.send(1, [msg('x')]))).toBe('Closed');
    });
  });

  describe('the database clock decides time when no clock is injected', () => {
    it('reads now from PostgreSQL and stamps messages with it', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const before = Date.now();
      const now = await store.now();
      // Same machine: the database clock and ours agree within a few seconds.
      expect(Math.abs(now - before)).toBeLessThan(5_000);
      const q = await create(store, 'clock');
      const [sent] = await store.queues.send(q.id, [msg('m')]);
      expect(sent!.sentAt).toBeGreaterThanOrEqual(now);
      expect(sent!.sentAt - now).toBeLessThan(5_000);
    });
  });

  describe('group commit', () => {
    it('writes the sends of one event-loop turn in one transaction, each acked after commit', async () => {
      const schema = freshSchema();
      const store = track(await openPostgresStore(PG_URL, { schema }));
      const q = await create(store, 'group');
      const sends = Array.from({ length: 100 }, (_, i) =>
        store.queues.send(q.id, [msg(String(i))]),
      );
      const results = await Promise.all(sends);
      const positions = results.map((r) => r[0]!.position);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      // Acked means committed: another connection sees every message now.
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS transactions FROM "${schema}".messages WHERE queue_id = $1`,
        [q.id],
      );
      expect(rows[0]).toEqual({ n: 100, transactions: 1 });
    });

    it('deletes the handles of concurrent calls together, each with its own outcome', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const q = await create(store, 'deletes');
      await store.queues.send(
        q.id,
        Array.from({ length: 20 }, (_, i) => msg(String(i))),
      );
      const got = [
        ...(await store.queues.receive(q.id, { fifo: false, max: 10, visibilityMs: 60_000 })),
        ...(await store.queues.receive(q.id, { fifo: false, max: 10, visibilityMs: 60_000 })),
      ];
      const outcomes = await Promise.all(
        got.map((m, i) =>
          store.queues.deleteMessages(q.id, [
            { position: m.position, token: i % 4 === 0 ? 'wrong' : m.receiptToken },
          ]),
        ),
      );
      expect(outcomes.flat()).toEqual(got.map((_, i) => (i % 4 === 0 ? 'stale' : 'ok')));
      expect(await store.queues.stats(q.id)).toMatchObject({ inFlight: 5 });
    });

    it('a send that fails does not fail the other sends of its batch', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const q = await create(store, 'isolation');
      const results = await Promise.allSettled([
        store.queues.send(q.id, [msg('ok 1')]),
        store.queues.send(q.id, [msg('bad \u0000 byte')]), // PostgreSQL text cannot hold NUL
        store.queues.send(q.id, [msg('ok 2')]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const failure = (results[1] as PromiseRejectedResult).reason;
      expect(isBallastError(failure) && failure.code).toBe('InternalError');
      expect(await store.queues.stats(q.id)).toMatchObject({ visible: 2 });
    });
  });

  describe("sends inside the caller's transaction (outbox)", () => {
    it('commits with the caller, and wakes nobody before that commit', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const q = await create(store, 'outbox');
      let woken = 0;
      const off = store.queues.onWake(q.id, () => woken++);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const before = (await client.query<{ p: string }>('SHOW search_path')).rows[0]!.p;
        await client.query('BEGIN');
        const [sent] = await store.queues.send(q.id, [msg('outbox')], { transaction: client });
        expect(sent?.duplicate).toBe(false);
        // The caller's search_path is its own again.
        expect((await client.query<{ p: string }>('SHOW search_path')).rows[0]!.p).toBe(before);
        expect(
          await store.queues.receive(q.id, { fifo: false, max: 10, visibilityMs: 1_000 }),
        ).toEqual([]);
        await store.ping(); // a round trip for any stray notification to arrive
        expect(woken).toBe(0);
        await client.query('COMMIT');
        await waitFor(() => woken > 0, 'the wake-up after the caller commits');
        const got = await store.queues.receive(q.id, { fifo: false, max: 10, visibilityMs: 1_000 });
        expect(got.map((m) => m.messageId)).toEqual([sent!.messageId]);
      } finally {
        off();
        await client.end();
      }
    });

    it('disappears when the caller rolls back', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const q = await create(store, 'rollback');
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query('BEGIN');
        await store.queues.send(q.id, [msg('gone')], { transaction: client });
        await client.query('ROLLBACK');
        expect(await store.queues.stats(q.id)).toMatchObject({
          visible: 0,
          delayed: 0,
          inFlight: 0,
        });
      } finally {
        await client.end();
      }
    });

    it('refuses a client that is not inside BEGIN, or that is not a client', async () => {
      const store = track(await openPostgresStore(PG_URL, { schema: freshSchema() }));
      const q = await create(store, 'refuse');
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        expect(await codeOf(store.queues.send(q.id, [msg('x')], { transaction: client }))).toBe(
          'InvalidParameterValue',
        );
        expect(await codeOf(store.queues.send(q.id, [msg('x')], { transaction: {} }))).toBe(
          'InvalidParameterValue',
        );
      } finally {
        await client.end();
      }
    });
  });
});
