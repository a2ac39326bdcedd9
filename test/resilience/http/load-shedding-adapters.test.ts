/**
 * Load shedding on real local servers, the same rules for each adapter (node:http, Hono over
 * @hono/node-server, Fastify): past `maxConcurrent` a request is answered 503 at once without
 * running its handler or reading its body; health checks pass while saturated; every admitted
 * request leaves the count exactly once, however it ends (answered, handler threw, client gone).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ConcurrencyLimiter,
  LoadSheddingOptions,
} from '../../../src/resilience/load-shedding.js';
import { fastifyLoadShedding } from '../../../src/resilience/http/load-shedding-fastify.js';
import { honoLoadShedding, loadShedding } from '../../../src/resilience/http/load-shedding-http.js';

/** Handlers park on this until the test releases them; `untilEntered(n)` waits for n parked in all. */
class Holds {
  entered = 0;
  #parked: (() => void)[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];

  hold(): Promise<void> {
    return new Promise((resolve) => {
      this.#parked.push(resolve);
      this.entered++;
      this.#waiters = this.#waiters.filter((w) =>
        w.n <= this.entered ? (w.resolve(), false) : true,
      );
    });
  }

  untilEntered(n: number): Promise<void> {
    return n <= this.entered
      ? Promise.resolve()
      : new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  releaseAll(): void {
    for (const release of this.#parked.splice(0)) release();
  }
}

/** What every server under test counts and does. */
class Work {
  invocations = 0;
  bodiesRead = 0;
  readonly holds = new Holds();

  async run(query: URLSearchParams): Promise<string> {
    this.invocations++;
    if (query.has('hold')) await this.holds.hold();
    if (query.has('fail')) throw new Error('the handler failed');
    return 'done';
  }
}

interface Harness {
  url: string;
  limiter: ConcurrencyLimiter;
  close(): Promise<void>;
}

const isHealth = (path: string): boolean => path === '/healthz' || path.startsWith('/v1/health/');
const readBody = async (req: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
};
const stop = (server: Server): Promise<void> =>
  new Promise((r) => (server.close(() => r()), server.closeAllConnections()));
const urlOf = (server: Server): string =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function nodeServer(options: LoadSheddingOptions, work: Work): Promise<Harness> {
  const mw = loadShedding(options);
  const server = createServer((req, res) =>
    mw(req, res, () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (isHealth(url.pathname)) return void res.end('healthy');
      readBody(req)
        .then((body) => {
          if (body !== '') work.bodiesRead++;
          return work.run(url.searchParams);
        })
        .then(
          (text) => res.end(text),
          () => res.writeHead(500).end(),
        );
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: urlOf(server), limiter: mw.limiter, close: () => stop(server) };
}

async function honoServer(options: LoadSheddingOptions, work: Work): Promise<Harness> {
  const app = new Hono();
  const mw = honoLoadShedding(options);
  app.use('*', mw);
  app.onError((_error, c) => c.text('failed', 500));
  app.get('/healthz', (c) => c.text('healthy'));
  app.get('/v1/health/*', (c) => c.text('healthy'));
  app.on(['GET', 'POST'], '/work', async (c) => {
    if ((await c.req.text()) !== '') work.bodiesRead++;
    return c.text(await work.run(new URL(c.req.url).searchParams));
  });
  const server = await new Promise<Server>((r) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => r(s as Server));
  });
  return { url: urlOf(server), limiter: mw.limiter, close: () => stop(server) };
}

async function fastifyServer(options: LoadSheddingOptions, work: Work): Promise<Harness> {
  const app = Fastify();
  const plugin = fastifyLoadShedding(options);
  await app.register(plugin);
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    work.bodiesRead++;
    done(null, body);
  });
  app.get('/healthz', async () => 'healthy');
  app.get('/v1/health/*', async () => 'healthy');
  app.route({
    method: ['GET', 'POST'],
    url: '/work',
    handler: async (req) => work.run(new URL(req.url, 'http://x').searchParams),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: urlOf(app.server), limiter: plugin.limiter, close: () => app.close() };
}

const adapters = [
  // Node and Fastify count a request until its response closes, so a client that goes away frees its place at once.
  { name: 'node:http (loadShedding)', start: nodeServer, freedOnDisconnect: true },
  // Hono sees no connection: a request counts until its handler has answered.
  { name: 'Hono (honoLoadShedding)', start: honoServer, freedOnDisconnect: false },
  { name: 'Fastify (fastifyLoadShedding)', start: fastifyServer, freedOnDisconnect: true },
];

describe.each(adapters)('load shedding with $name', ({ start, freedOnDisconnect }) => {
  let work: Work;
  let server: Harness;
  let leaves = 0;
  let leaveWaiters: { n: number; resolve: () => void }[] = [];
  /** Resolves once `n` requests have left the limiter since the server started. */
  const untilLeft = (n: number): Promise<void> =>
    n <= leaves ? Promise.resolve() : new Promise((resolve) => leaveWaiters.push({ n, resolve }));

  beforeEach(async () => {
    work = new Work();
    server = await start({ maxConcurrent: 2, retryAfterSeconds: 3 }, work);
    leaves = 0;
    leaveWaiters = [];
    // Observe every leave (the adapters call the limiter's method at the time of the call).
    const leave = server.limiter.leave.bind(server.limiter);
    server.limiter.leave = () => {
      leave();
      leaves++;
      leaveWaiters = leaveWaiters.filter((w) => (w.n <= leaves ? (w.resolve(), false) : true));
    };
  });
  afterEach(async () => {
    work.holds.releaseAll();
    await server.close();
  });

  /** Two requests admitted and parked in their handlers. */
  async function saturate(query = 'hold'): Promise<Promise<Response>[]> {
    const held = [fetch(`${server.url}/work?${query}`), fetch(`${server.url}/work?${query}`)];
    await work.holds.untilEntered(2);
    expect(server.limiter.inFlight).toBe(2);
    return held;
  }

  it('the third concurrent request gets 503 with Retry-After and a problem body, and its handler never runs', async () => {
    const held = await saturate();
    const refused = await fetch(`${server.url}/work`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 503, title: 'Server overloaded' });
    expect(work.invocations).toBe(2);
    expect({
      inFlight: server.limiter.inFlight,
      admitted: server.limiter.admitted,
      shed: server.limiter.shed,
    }).toEqual({ inFlight: 2, admitted: 2, shed: 1 });
    work.holds.releaseAll();
    expect(await Promise.all(held.map(async (r) => (await r).status))).toEqual([200, 200]);
  });

  it('a refused request is answered before its body is read', async () => {
    const held = await saturate();
    const refused = await fetch(`${server.url}/work`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(64 * 1024),
    });
    expect(refused.status).toBe(503);
    expect([work.invocations, work.bodiesRead]).toEqual([2, 0]);
    work.holds.releaseAll();
    await Promise.all(held);
  });

  it('health checks answer 200 while saturated and are not counted', async () => {
    const held = await saturate();
    for (const path of ['/healthz', '/v1/health/snapshot']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status, await res.text()]).toEqual([path, 200, 'healthy']);
    }
    expect({
      inFlight: server.limiter.inFlight,
      admitted: server.limiter.admitted,
      shed: server.limiter.shed,
    }).toEqual({ inFlight: 2, admitted: 2, shed: 0 });
    work.holds.releaseAll();
    await Promise.all(held);
  });

  it('once the held requests finish, the count is back to 0 and new requests are admitted', async () => {
    const held = await saturate();
    work.holds.releaseAll();
    expect(await Promise.all(held.map(async (r) => (await r).status))).toEqual([200, 200]);
    await untilLeft(2);
    expect(server.limiter.inFlight).toBe(0);
    const again = await fetch(`${server.url}/work`);
    expect(again.status).toBe(200);
    await untilLeft(3);
    expect([server.limiter.inFlight, leaves, server.limiter.admitted]).toEqual([0, 3, 3]);
  });

  it('a handler that throws leaves the count exactly once', async () => {
    const held = await saturate('hold&fail');
    work.holds.releaseAll();
    expect(await Promise.all(held.map(async (r) => (await r).status))).toEqual([500, 500]);
    await untilLeft(2);
    expect(server.limiter.inFlight).toBe(0);
    expect((await fetch(`${server.url}/work`)).status).toBe(200);
    await untilLeft(3);
    expect([server.limiter.inFlight, leaves]).toEqual([0, 3]);
  });

  it('a client that goes away mid-request leaves the count exactly once', async () => {
    const abort = new AbortController();
    const gone = fetch(`${server.url}/work?hold`, { signal: abort.signal }).catch(
      (error: unknown) => error,
    );
    const stays = fetch(`${server.url}/work?hold`);
    await work.holds.untilEntered(2);
    abort.abort();
    expect(await gone).toBeInstanceOf(Error);
    if (freedOnDisconnect) {
      await untilLeft(1);
      expect(server.limiter.inFlight).toBe(1);
    }
    work.holds.releaseAll();
    expect((await stays).status).toBe(200);
    await untilLeft(2);
    expect(server.limiter.inFlight).toBe(0);
    expect((await fetch(`${server.url}/work`)).status).toBe(200);
    await untilLeft(3);
    expect([server.limiter.inFlight, leaves, server.limiter.admitted]).toEqual([0, 3, 3]);
  });
});
