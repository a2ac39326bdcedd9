/**
 * `advertiseRetention`: every response to a keyed request (live and replayed) carries
 * `Idempotency-TTL: <ttlSeconds>` in all three adapters; nothing is advertised by default.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdempotency, expressIdempotency, fastifyIdempotency, honoIdempotency } from '../../src/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';

const idem = createIdempotency({ store: `sqlite:${tempDbPath()}`, ttlSeconds: 3600 });
afterAll(() => idem.close());

/** Posts twice with one key and once with another; answers the Idempotency-TTL header of each, and the replay marker. */
type Poster = (key: string) => Promise<{ ttl: string | null; replayed: string | null }>;

async function check(post: (advertise: boolean) => Promise<Poster>): Promise<void> {
  const on = await post(true);
  expect(await on('r-1')).toEqual({ ttl: '3600', replayed: null });
  expect(await on('r-1')).toEqual({ ttl: '3600', replayed: 'true' });
  const off = await post(false);
  expect(await off('r-2')).toEqual({ ttl: null, replayed: null });
}

describe('advertised retention (Idempotency-TTL)', () => {
  it('node:http', async () => {
    const servers: ReturnType<typeof createServer>[] = [];
    try {
      await check(async (advertise) => {
        const mw = expressIdempotency(idem, { advertiseRetention: advertise });
        const server = createServer((req, res) => mw(req, res, () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}')));
        servers.push(server);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/node-${advertise}`;
        return async (key) => {
          const res = await fetch(url, { method: 'POST', headers: { 'idempotency-key': key } });
          return { ttl: res.headers.get('idempotency-ttl'), replayed: res.headers.get('idempotent-replayed') };
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
        const res = await app.request(`/hono?${advertise}`, { method: 'POST', headers: { 'idempotency-key': key } });
        return { ttl: res.headers.get('idempotency-ttl'), replayed: res.headers.get('idempotent-replayed') };
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
          const res = await app.inject({ method: 'POST', url: `/fastify-${advertise}`, headers: { 'idempotency-key': key } });
          const header = (name: string) => (res.headers[name] === undefined ? null : String(res.headers[name]));
          return { ttl: header('idempotency-ttl'), replayed: header('idempotent-replayed') };
        };
      });
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
