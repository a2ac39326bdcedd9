/**
 * Store restarts under idempotent calls, on private Redis (AOF, appendfsync always) and
 * PostgreSQL servers: a run in flight across the outage completes once and is replayed after;
 * calls during the outage are refused (503 from the middleware; or run without idempotency when
 * it is told to fail open) and leave no key stuck; a transactional run cut off by the outage
 * commits nothing and frees its key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  expressIdempotency,
  type Idempotency,
} from '../../src/idempotency/index.js';
import { codeOf } from '../helpers/errors.js';
import { type PrivatePg, privatePgUnavailable, startPrivatePg } from '../helpers/private-pg.js';
import {
  type PrivateRedis,
  privateRedisUnavailable,
  startPrivateRedis,
} from '../helpers/private-redis.js';

/** How a test takes its store away and brings it back. */
interface Outage {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** A POST endpoint behind the middleware, counting how often its handler runs. */
async function endpoint(
  idem: Idempotency,
  onStoreError: 'closed' | 'open',
): Promise<{ post(key: string): Promise<Response>; runs: () => number; server: Server }> {
  let runs = 0;
  const mw = expressIdempotency(idem, { onStoreError });
  const server = createServer((req, res) =>
    mw(req, res, () => {
      runs++;
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  return {
    post: (key) => fetch(url, { method: 'POST', headers: { 'idempotency-key': key } }),
    runs: () => runs,
    server,
  };
}

function restartSuite(name: string, outage: () => Outage): void {
  it(`${name}: a run in flight across a restart completes once and is replayed after; calls during it are refused, not stuck`, async () => {
    const store = outage();
    const idem = createIdempotency({ store: store.url, leaseSeconds: 10 });
    const closed = await endpoint(idem, 'closed');
    const open = await endpoint(idem, 'open');
    try {
      let calls = 0;
      let finish!: () => void;
      const first = idem.run({ key: 'pay-1', input: { cents: 500 } }, async () => {
        calls++;
        await new Promise<void>((r) => (finish = r));
        return { paid: 500 };
      });
      const firstSettled = first.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      while (calls === 0) await new Promise((r) => setTimeout(r, 10));

      await store.down();
      finish(); // the function ends while the store is down: its result must not be lost
      expect(
        await codeOf(idem.run({ key: 'pay-1', input: { cents: 500 } }, () => ({ paid: -1 }))),
      ).toBe('StoreUnavailable');
      expect(await codeOf(idem.run({ key: 'new-during-outage' }, () => 'x'))).toBe(
        'StoreUnavailable',
      );
      const refused = await closed.post('http-during-outage');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await open.post('http-open-during-outage')).status).toBe(201);
      expect(closed.runs()).toBe(0);
      expect(open.runs()).toBe(1);
      await store.up();

      expect(await firstSettled).toEqual({ value: { value: { paid: 500 }, replayed: false } });
      expect(await idem.run({ key: 'pay-1', input: { cents: 500 } }, () => ({ paid: -1 }))).toEqual(
        { value: { paid: 500 }, replayed: true },
      );
      expect(calls).toBe(1);
      // Nothing refused during the outage holds its key now.
      expect(await idem.run({ key: 'new-during-outage' }, () => 'ran')).toEqual({
        value: 'ran',
        replayed: false,
      });
      expect((await closed.post('http-during-outage')).status).toBe(201);
      expect(closed.runs()).toBe(1);
    } finally {
      closed.server.close();
      open.server.close();
      await idem.close();
    }
  }, 60_000);
}

describe.skipIf(privateRedisUnavailable !== undefined)(
  'idempotency across a Redis restart (AOF, appendfsync always)',
  () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await startPrivateRedis();
    });
    afterAll(() => redis.destroy());
    restartSuite('redis', () => ({
      url: redis.url,
      down: () => redis.kill(),
      up: () => redis.start(),
    }));
  },
);

describe.skipIf(privatePgUnavailable !== undefined)(
  'idempotency across a PostgreSQL restart',
  () => {
    let pg: PrivatePg;
    beforeAll(async () => {
      pg = await startPrivatePg();
    }, 60_000);
    afterAll(() => pg.destroy());
    restartSuite('postgres', () => ({
      url: `${pg.url}?schema=idem_restart`,
      down: async () => pg.stop(),
      up: async () => pg.start(),
    }));

    it('postgres: a transactional run cut off by the outage commits nothing and frees its key; the retry runs once', async () => {
      const idem = createIdempotency({
        store: `${pg.url}?schema=idem_restart_tx`,
        leaseSeconds: 10,
      });
      try {
        await idem.runInTransaction(
          { key: 'schema' },
          async (tx) =>
            void (
              tx.dialect === 'postgres' &&
              (await tx.client.query('CREATE TABLE ledger (cents INT)'))
            ),
        );
        let go!: () => void;
        let calls = 0;
        const insert = (tx: Parameters<Parameters<Idempotency['runInTransaction']>[1]>[0]) => {
          if (tx.dialect !== 'postgres') throw new Error('expected PostgreSQL');
          return tx.client.query('INSERT INTO ledger VALUES (500)').then(() => 'paid');
        };
        const first = idem.runInTransaction({ key: 'pay-tx' }, async (tx) => {
          calls++;
          await new Promise<void>((r) => (go = r));
          return insert(tx);
        });
        while (calls === 0) await new Promise((r) => setTimeout(r, 10));
        pg.stop(); // terminates the transaction's connection
        go();
        const upAgain = new Promise((r) => setTimeout(r, 300)).then(() => pg.start());
        expect(await codeOf(first)).toBe('StoreUnavailable');
        await upAgain;
        expect(
          await idem.runInTransaction({ key: 'pay-tx' }, (tx) => (calls++, insert(tx))),
        ).toEqual({ value: 'paid', replayed: false });
        expect(calls).toBe(2);
        const count = await idem.runInTransaction({ key: 'count' }, async (tx) =>
          tx.dialect === 'postgres'
            ? (await tx.client.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger'))
                .rows[0]?.n
            : -1,
        );
        expect(count.value).toBe(1);
      } finally {
        await idem.close();
      }
    }, 60_000);
  },
);
