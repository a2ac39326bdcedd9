/**
 * Two nodes on one PostgreSQL schema: two stores (two pools, two LISTEN connections) opened
 * together, on the real database clock. What one node does, the other must respect.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from '../../src/queue/settings.js';
import type { NewMessage, QueueRecord, Store, StoredMessage } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { loadMigrations } from '../../src/store/migrate.js';
import { testMessage } from '../helpers/messages.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';

const standard: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS };
const fifo: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, fifo: true };
/** Long enough that no message becomes visible again while a test runs. */
const LONG_VISIBILITY = 120_000;

const msg = testMessage;

/** A store URL whose connections carry `appName` (to find them in pg_stat_activity). */
function urlWithAppName(appName: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', appName);
  return url.toString();
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describePg('postgres: two nodes on one schema', () => {
  const schema = freshSchema();
  const run = randomBytes(4).toString('hex');
  const appA = `ballast_test_a_${run}`;
  const appB = `ballast_test_b_${run}`;
  let a: Store;
  let b: Store;
  let admin: pg.Client;

  beforeAll(async () => {
    // Both nodes start together: the migration lock lets exactly one of them migrate.
    [a, b] = await Promise.all([
      openPostgresStore(urlWithAppName(appA), { schema, poolSize: 6 }),
      openPostgresStore(urlWithAppName(appB), { schema, poolSize: 6 }),
    ]);
    admin = new pg.Client({ connectionString: PG_URL });
    admin.on('error', () => undefined);
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await admin?.end().catch(() => undefined);
  });

  async function create(name: string, settings: QueueSettings = standard): Promise<QueueRecord> {
    const r = await a.queues.createQueue(name, settings, {}, 60_000);
    if (r.status === 'deletedRecently') throw new Error('unexpected deletedRecently');
    return r.queue;
  }

  it('migrated the schema once', async () => {
    const { rows } = await admin.query(
      `SELECT feature, version FROM "${schema}".ballast_schema_migrations`,
    );
    const key = (r: { feature: string; version: number }) => `${r.feature}/${r.version}`;
    expect(rows.map(key).sort()).toEqual(
      loadMigrations(new URL('../../src/store/postgres/migrations/', import.meta.url))
        .map(key)
        .sort(),
    );
  });

  describe('claims', () => {
    it('concurrent receivers on both nodes claim 2,000 messages, none returned twice within its visibility', async () => {
      const q = await create('claims');
      const total = 2_000;
      for (let i = 0; i < total; i += 200) {
        await (i % 400 === 0 ? a : b).queues.send(
          q.id,
          Array.from({ length: 200 }, (_, j) => msg(String(i + j))),
        );
      }
      const seen = new Map<string, number>();
      let received = 0;
      const receiver = async (store: Store): Promise<void> => {
        let empty = 0;
        while (received < total && empty < 50) {
          const got = await store.queues.receive(q.id, {
            fifo: false,
            max: 10,
            visibilityMs: LONG_VISIBILITY,
          });
          empty = got.length === 0 ? empty + 1 : 0;
          for (const m of got) {
            seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
            received++;
          }
        }
      };
      await Promise.all([
        ...Array.from({ length: 5 }, () => receiver(a)),
        ...Array.from({ length: 5 }, () => receiver(b)),
      ]);
      expect(received).toBe(total);
      expect(seen.size).toBe(total);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(await b.queues.stats(q.id)).toMatchObject({ visible: 0, inFlight: total });
    });

    it('two concurrent FIFO receivers never hold messages of the same group at once, and keep group order', async () => {
      const q = await create('groups.fifo', fifo);
      const groups = 6;
      const perGroup = 25;
      const batch: NewMessage[] = [];
      for (let i = 0; i < perGroup; i++)
        for (let g = 0; g < groups; g++) batch.push(msg(`${g}:${i}`, { groupId: `g${g}` }));
      for (let i = 0; i < batch.length; i += 50) await a.queues.send(q.id, batch.slice(i, i + 50));

      const holder = new Map<string, string>();
      const next = new Map<string, number>();
      const violations: string[] = [];
      let done = 0;
      const receiver = async (name: string, store: Store): Promise<void> => {
        let empty = 0;
        while (done < groups * perGroup && empty < 200) {
          const got: StoredMessage[] = await store.queues.receive(q.id, {
            fifo: true,
            max: 4,
            visibilityMs: LONG_VISIBILITY,
          });
          empty = got.length === 0 ? empty + 1 : 0;
          const mine = new Set<string>();
          for (const m of got) {
            const g = m.groupId!;
            const other = holder.get(g);
            if (other !== undefined && other !== name)
              violations.push(`${name} got ${m.body} while ${other} holds ${g}`);
            const [, seq] = m.body.split(':');
            if (Number(seq) !== (next.get(g) ?? 0)) violations.push(`${g} out of order: ${m.body}`);
            next.set(g, Number(seq) + 1);
            holder.set(g, name);
            mine.add(g);
          }
          if (got.length === 0) {
            await new Promise((r) => setImmediate(r));
            continue;
          }
          await new Promise((r) => setTimeout(r, 1)); // "work" while holding the groups
          // Release our hold before the delete commits: from then on the other node may take the group.
          for (const g of mine) holder.delete(g);
          const outcomes = await store.queues.deleteMessages(
            q.id,
            got.map((m) => ({ position: m.position, token: m.receiptToken })),
          );
          expect(outcomes.every((o) => o === 'ok')).toBe(true);
          done += got.length;
        }
      };
      await Promise.all([
        receiver('A1', a),
        receiver('B1', b),
        receiver('A2', a),
        receiver('B2', b),
      ]);
      expect(violations).toEqual([]);
      expect(done).toBe(groups * perGroup);
    });
  });

  describe('FIFO deduplication', () => {
    it('concurrent sends of one deduplication id from both nodes store exactly one message', async () => {
      const q = await create('dedup.fifo', fifo);
      const dedup = { deduplication: { windowMs: 300_000, perGroup: false } };
      const rounds = 25;
      for (let i = 0; i < rounds; i++) {
        const send = (store: Store) =>
          store.queues.send(
            q.id,
            [msg(`x${i}`, { groupId: `g${i % 3}`, deduplicationId: `d${i}` })],
            dedup,
          );
        const results = (await Promise.all([send(a), send(b), send(a), send(b)])).map((r) => r[0]!);
        expect(results.filter((r) => !r.duplicate).length).toBe(1);
        expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
        expect(new Set(results.map((r) => r.position)).size).toBe(1);
      }
      expect(await a.queues.stats(q.id)).toMatchObject({
        visible: rounds,
        delayed: 0,
        inFlight: 0,
      });
    });
  });

  describe('wake-ups', () => {
    it('a send on node A wakes a listener on node B', async () => {
      const q = await create('wake');
      let woken = 0;
      const off = b.queues.onWake(q.id, () => woken++);
      await a.queues.send(q.id, [msg('m')]);
      await waitFor(() => woken > 0, 'the wake-up on node B');
      off();
    });
  });

  describe('connection loss', () => {
    const connections = async (app: string): Promise<number> =>
      Number(
        (
          await admin.query(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
            [app],
          )
        ).rows[0].n,
      );

    it('after every connection of a node is terminated, it sends and receives again and its listener comes back', async () => {
      const traffic = await create('terminated');
      // Nothing is sent to `watched` except by node B at the end: a wake-up before that can only
      // be the listener's "I am back, wake everyone" after its reconnect.
      const watched = await create('watched');
      let woken = 0;
      const off = a.queues.onWake(watched.id, () => woken++);
      expect(await connections(appA)).toBeGreaterThan(0);

      const { rows } = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [appA],
      );
      const pids = rows.map((r) => r.pid);
      await admin.query('SELECT pg_terminate_backend(pid, 5000) FROM unnest($1::int[]) AS pid', [
        pids,
      ]);
      await waitFor(
        async () =>
          (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]))
            .rowCount === 0,
        'the terminated connections to go away',
      );

      // New calls work without re-opening the store.
      const [sent] = await a.queues.send(traffic.id, [msg('after')]);
      expect(sent?.duplicate).toBe(false);
      const got = await a.queues.receive(traffic.id, {
        fifo: false,
        max: 10,
        visibilityMs: LONG_VISIBILITY,
      });
      expect(got.map((m) => m.body)).toEqual(['after']);
      await a.ping();

      // The listener reconnects by itself and wakes every local listener once it is back ...
      await waitFor(() => woken > 0, 'the listener to reconnect');
      // ... and from then on NOTIFYs from the other node reach it again.
      woken = 0;
      await b.queues.send(watched.id, [msg('from b')]);
      await waitFor(() => woken > 0, 'a wake-up from node B after the reconnect');
      off();
    });
  });
});
