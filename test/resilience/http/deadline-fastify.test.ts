/**
 * fastifyDeadline: the same admission rules as the node and Hono adapters, and the deadline stays
 * current (AsyncLocalStorage) through Fastify's hooks, body parsing and the handler's awaits,
 * without leaking into the next request of a kept-alive connection. Time is a FakeClock: budgets
 * are exact.
 */
import {
  createServer,
  Agent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { fastifyDeadline } from '../../../src/resilience/http/deadline-fastify.js';
import {
  currentDeadline,
  deadlineMiddleware,
  fetchWithDeadline,
  honoDeadline,
} from '../../../src/resilience/http/deadline-http.js';

const urlOf = (server: Server): string =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listening = (server: Server): Promise<string> =>
  new Promise((r) => server.listen(0, '127.0.0.1', () => r(urlOf(server))));
/** Closes a server without waiting for kept-alive connections to time out. */
const stop = (server: Server): Promise<void> =>
  new Promise((r) => (server.close(() => r()), server.closeAllConnections()));
const isDeadlineExceeded = (error: unknown): boolean =>
  (error as { code?: string }).code === 'DeadlineExceeded';

/** A plain node server answering with the deadline header it received. */
async function echoServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ given: Number(req.headers['ballast-deadline-ms']) })),
  );
  return { url: await listening(server), server };
}

/** A GET over a kept-alive connection shared by every call of one agent. */
function get(
  agent: Agent,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject).end();
  });
}

describe('fastifyDeadline admission: the same answers as deadlineMiddleware', () => {
  const clock = new FakeClock();
  const app = Fastify();
  let started = 0;
  beforeAll(async () => {
    await app.register(fastifyDeadline({ clock, maxMs: 5_000 }));
    app.get('/left', async (req) => {
      started++;
      return {
        left: currentDeadline()?.remaining() ?? null,
        same: currentDeadline() === req.deadline,
      };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  const url = () => `${urlOf(app.server)}/left`;

  it('a malformed header is a 400 and a spent budget a 504, both problem+json, and the handler does not run', async () => {
    const before = started;
    const bad = await fetch(url(), { headers: { 'ballast-deadline-ms': 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await bad.json()) as { status: number }).status).toBe(400);
    const spent = await fetch(url(), { headers: { 'ballast-deadline-ms': '0' } });
    expect(spent.status).toBe(504);
    expect(spent.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(started).toBe(before);
  });

  it('a request without the header runs without a deadline; a budget is capped at maxMs', async () => {
    expect(await (await fetch(url())).json()).toEqual({ left: null, same: true });
    expect(
      await (await fetch(url(), { headers: { 'ballast-deadline-ms': '1234' } })).json(),
    ).toEqual({ left: 1234, same: true });
    expect(
      await (await fetch(url(), { headers: { 'ballast-deadline-ms': '50000' } })).json(),
    ).toEqual({ left: 5_000, same: true });
  });

  it('defaultMs gives a deadline to a request that carries none', async () => {
    const other = Fastify();
    await other.register(fastifyDeadline({ clock, defaultMs: 700 }));
    other.get('/left', async () => ({ left: currentDeadline()?.remaining() ?? null }));
    await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(await (await fetch(`${urlOf(other.server)}/left`)).json()).toEqual({ left: 700 });
    } finally {
      await other.close();
    }
  });
});

describe('fastifyDeadline keeps the deadline current through the request lifecycle', () => {
  const clock = new FakeClock();
  const app = Fastify();
  const gates = new Map<string, () => void>();
  const entered = new Map<string, () => void>();
  const enteredP = (id: string) => new Promise<void>((r) => entered.set(id, r));
  beforeAll(async () => {
    await app.register(fastifyDeadline({ clock }));
    // An async preHandler that awaits real I/O before looking, and a callback-style one.
    app.addHook('preHandler', async (req) => {
      await new Promise((r) => setImmediate(r));
      (req as { seenInPreHandler?: boolean }).seenInPreHandler =
        req.deadline !== undefined && currentDeadline() === req.deadline;
    });
    app.addHook('preHandler', (req, _reply, done) => {
      (req as { seenInCallbackHook?: boolean }).seenInCallbackHook =
        req.deadline !== undefined && currentDeadline() === req.deadline;
      done();
    });
    const report = (req: {
      deadline?: unknown;
      seenInPreHandler?: boolean;
      seenInCallbackHook?: boolean;
    }) => ({
      left: currentDeadline()?.remaining() ?? null,
      same: currentDeadline() === req.deadline,
      preHandler: req.seenInPreHandler ?? null,
      callbackHook: req.seenInCallbackHook ?? null,
    });
    app.get<{ Querystring: { id?: string } }>('/held', async (req) => {
      const id = req.query.id ?? '';
      await new Promise<void>((r) => {
        gates.set(id, r);
        entered.get(id)?.();
      });
      await new Promise((r) => setImmediate(r));
      return report(req);
    });
    app.post<{ Body: { n: number } }>('/body', async (req) => {
      await new Promise((r) => setImmediate(r));
      return { ...report(req), n: req.body.n };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  const base = () => urlOf(app.server);

  it('in an async handler after awaits, and in async and callback preHandler hooks', async () => {
    const p = fetch(`${base()}/held?id=one`, { headers: { 'ballast-deadline-ms': '1500' } });
    await enteredP('one');
    gates.get('one')?.();
    expect(await (await p).json()).toEqual({
      left: 1500,
      same: true,
      preHandler: true,
      callbackHook: true,
    });
  });

  it('concurrent requests each see their own deadline, whatever order they finish in', async () => {
    const inFirst = enteredP('a');
    const a = fetch(`${base()}/held?id=a`, { headers: { 'ballast-deadline-ms': '1000' } });
    await inFirst;
    const inSecond = enteredP('b');
    const b = fetch(`${base()}/held?id=b`, { headers: { 'ballast-deadline-ms': '2000' } });
    await inSecond;
    gates.get('b')?.();
    expect(((await (await b).json()) as { left: number }).left).toBe(2000);
    gates.get('a')?.();
    expect(((await (await a).json()) as { left: number }).left).toBe(1000);
  });

  it('across body parsing: a JSON body that arrives in two writes', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${base()}/body`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'ballast-deadline-ms': '900' },
        },
        (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (c: string) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.once('error', reject);
      req.write('{"n":', () => req.end('42}'));
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      left: 900,
      same: true,
      preHandler: true,
      callbackHook: true,
      n: 42,
    });
  });

  it('does not leak into the next request on a kept-alive connection (the AsyncLocalStorage.enterWith trap)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const held = (id: string, headers: Record<string, string>) => {
        const inside = enteredP(id);
        const res = get(agent, `${base()}/held?id=${id}`, headers);
        void inside.then(() => gates.get(id)?.());
        return res;
      };
      const first = await held('k1', { 'ballast-deadline-ms': '800' });
      const second = await held('k2', {});
      expect(JSON.parse(first.body)).toMatchObject({ left: 800 });
      expect(JSON.parse(second.body)).toEqual({
        left: null,
        same: true,
        preHandler: false,
        callbackHook: false,
      });
    } finally {
      agent.destroy();
    }
  });
});

describe('fetchWithDeadline inside a Fastify handler', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('sends the budget left after the handler has spent some of it', async () => {
    const clock = new FakeClock();
    const echo = await echoServer();
    const app = Fastify();
    closers.push(
      () => stop(echo.server),
      () => app.close(),
    );
    await app.register(fastifyDeadline({ clock }));
    app.get('/call', async () => {
      clock.advance(250); // work done before calling on
      await new Promise((r) => setImmediate(r)); // and an await between it and the call
      return (await fetchWithDeadline(echo.url)).json();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${urlOf(app.server)}/call`, {
      headers: { 'ballast-deadline-ms': '1000' },
    });
    expect(await res.json()).toEqual({ given: 750 });
  });
});

describe('three hops with Fastify in the middle: node → Fastify → Hono', () => {
  const clock = new FakeClock();
  const closers: (() => unknown)[] = [];
  let a = '';
  let cStarted = 0;
  let onCEntered: (() => void) | undefined;

  beforeAll(async () => {
    // C (Hono): reports its budget, or with ?wait waits for its deadline to pass.
    const c = new Hono();
    c.use('*', honoDeadline({ clock }));
    c.get('/work', async (ctx) => {
      cStarted++;
      const given = Number(ctx.req.header('ballast-deadline-ms'));
      if (ctx.req.query('wait') !== undefined) {
        onCEntered?.();
        const elapsed = await clock.sleep(60_000, currentDeadline()?.signal);
        return ctx.json({ c: given, elapsed }, elapsed ? 200 : 504);
      }
      return ctx.json({ c: given, cLeft: currentDeadline()?.remaining() ?? null });
    });
    const cServer = await new Promise<Server>((r) => {
      const s = serve({ fetch: c.fetch, hostname: '127.0.0.1', port: 0 }, () => r(s as Server));
    });
    closers.push(() => stop(cServer));

    // B (Fastify): spends 30 ms, then calls C.
    const b: FastifyInstance = Fastify();
    await b.register(fastifyDeadline({ clock }));
    b.get('/work', async (req, reply) => {
      clock.advance(30);
      try {
        const down = await fetchWithDeadline(`${urlOf(cServer)}${req.url}`);
        return reply.code(down.status).send({
          ...((await down.json()) as object),
          b: Number(req.headers['ballast-deadline-ms']),
        });
      } catch (error) {
        if (isDeadlineExceeded(error)) return reply.code(504).send({ hop: 'b' });
        throw error;
      }
    });
    await b.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => b.close());

    // A (node:http): spends 20 ms, then calls B.
    const mw = deadlineMiddleware({ clock });
    const aServer = createServer((req: IncomingMessage, res: ServerResponse) =>
      mw(req, res, () => {
        clock.advance(20);
        fetchWithDeadline(`${urlOf(b.server)}${req.url}`)
          .then(async (down) => {
            const body = (await down.json()) as object;
            res
              .writeHead(down.status, { 'content-type': 'application/json' })
              .end(JSON.stringify({ ...body, a: Number(req.headers['ballast-deadline-ms']) }));
          })
          .catch((error: unknown) => res.writeHead(isDeadlineExceeded(error) ? 504 : 500).end());
      }),
    );
    a = await listening(aServer);
    closers.push(() => stop(aServer));
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('each hop gets exactly what the previous one left', async () => {
    const res = await fetch(`${a}/work`, { headers: { 'ballast-deadline-ms': '2000' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ a: 2000, b: 1980, c: 1950, cLeft: 1950 });
  });

  it('a budget that runs out while C works fails the chain with 504 at A', async () => {
    const inC = new Promise<void>((r) => (onCEntered = r));
    const res = fetch(`${a}/work?wait`, { headers: { 'ballast-deadline-ms': '300' } });
    await inC;
    clock.advance(300);
    expect((await res).status).toBe(504);
  });

  it('a request with no time left is not started; a budget spent on the way does not reach C', async () => {
    const before = cStarted;
    expect((await fetch(`${a}/work`, { headers: { 'ballast-deadline-ms': '0' } })).status).toBe(
      504,
    );
    // A and B spend all 50 ms: B's fetchWithDeadline refuses to call C with nothing left.
    const spentOnTheWay = await fetch(`${a}/work`, { headers: { 'ballast-deadline-ms': '50' } });
    expect(spentOnTheWay.status).toBe(504);
    expect(cStarted).toBe(before);
  });
});
