/**
 * The three HTTP adapters on each of the three stores: a keyed request runs once and its retry
 * (sent the moment the first response arrives) is the replay; with `advertiseRetention` every
 * response to a keyed request (live and replayed) carries `Idempotency-TTL: <ttlSeconds>`;
 * nothing is advertised by default.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  expressIdempotency,
  fastifyIdempotency,
  honoIdempotency,
  type Idempotency,
} from '../../src/idempotency/index.js';
import { openRedisIdempotencyStore } from '../../src/store/redis/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { describeRedis, freshPrefix, REDIS_URL } from '../helpers/redis.js';

/** Posts twice with one key and once with another; answers the Idempotency-TTL header of each, and the replay marker. */
type Poster = (key: string) => Promise<{ ttl: string | null; replayed: string | null }>;

async function check(post: (advertise: boolean) => Promise<Poster>): Promise<void> {
  const on = await post(true);
  expect(await on('r-1')).toEqual({ ttl: '3600', replayed: null });
  expect(await on('r-1')).toEqual({ ttl: '3600', replayed: 'true' });
  const off = await post(false);
  expect(await off('r-2')).toEqual({ ttl: null, replayed: null });
}

function adapterSuite(open: () => Promise<Idempotency>): void {
  let idem: Idempotency;
  beforeAll(async () => {
    idem = await open();
  });
  afterAll(() => idem.close());

  it('node:http', async () => {
    const servers: ReturnType<typeof createServer>[] = [];
    try {
      await check(async (advertise) => {
        const mw = expressIdempotency(idem, { advertiseRetention: advertise });
        const server = createServer((req, res) =>
          mw(req, res, () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}')),
        );
        servers.push(server);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/node-${advertise}`;
        return async (key) => {
          const res = await fetch(url, { method: 'POST', headers: { 'idempotency-key': key } });
          return {
            ttl: res.headers.get('idempotency-ttl'),
            replayed: res.headers.get('idempotent-replayed'),
          };
        };
      });
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('Hono', async () => {
    await check(async (advertise) => {
      const app = new Hono();
      app.use('*', honoIdempotency(idem, { advertiseRetention: advertise }));
      app.post('/hono', (c) => c.json({}, 201));
      return async (key) => {
        const res = await app.request(`/hono?${advertise}`, {
          method: 'POST',
          headers: { 'idempotency-key': key },
        });
        return {
          ttl: res.headers.get('idempotency-ttl'),
          replayed: res.headers.get('idempotent-replayed'),
        };
      };
    });
  });

  it('Fastify', async () => {
    const apps: ReturnType<typeof Fastify>[] = [];
    try {
      await check(async (advertise) => {
        const app = Fastify();
        apps.push(app);
        await app.register(fastifyIdempotency(idem, { advertiseRetention: advertise }));
        app.post(`/fastify-${advertise}`, async (_req, reply) => reply.code(201).send({}));
        await app.ready();
        return async (key) => {
          const res = await app.inject({
            method: 'POST',
            url: `/fastify-${advertise}`,
            headers: { 'idempotency-key': key },
          });
          const header = (name: string) =>
            res.headers[name] === undefined ? null : String(res.headers[name]);
          return { ttl: header('idempotency-ttl'), replayed: header('idempotent-replayed') };
        };
      });
    } finally {
      for (const app of apps) await app.close();
    }
  });
}

describe('HTTP adapters on SQLite: replay right after the response, advertised retention', () => {
  adapterSuite(async () =>
    createIdempotency({ store: `sqlite:${tempDbPath()}`, ttlSeconds: 3600 }),
  );
});
describePg(
  'HTTP adapters on PostgreSQL: replay right after the response, advertised retention',
  () => {
    adapterSuite(async () =>
      createIdempotency({ store: `${PG_URL}?schema=${freshSchema()}`, ttlSeconds: 3600 }),
    );
  },
);
describeRedis(
  'HTTP adapters on Redis: replay right after the response, advertised retention',
  () => {
    adapterSuite(async () => {
      const redis = await openRedisIdempotencyStore(REDIS_URL, { prefix: freshPrefix() });
      const idem = createIdempotency({ store: { idempotency: redis }, ttlSeconds: 3600 });
      return Object.assign(idem, { close: () => redis.close() });
    });
  },
);
