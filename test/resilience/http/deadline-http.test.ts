/**
 * Deadline propagation across three hops of real local HTTP servers (client → A → B → C): the
 * remaining budget shrinks at each hop; a budget that runs out mid-chain fails every hop with 504
 * without waiting on the slow one; a request that arrives with no time left is not started.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../src/resilience/deadline.js';
import {
  currentDeadline,
  deadlineMiddleware,
  fetchWithDeadline,
} from '../../../src/resilience/http/deadline-http.js';
import { within } from '../../helpers/ballast.js';

type Handler = (
  req: IncomingMessage & { deadline?: Deadline },
  res: ServerResponse,
) => Promise<void>;

async function hop(handler: Handler): Promise<{ url: string; server: Server }> {
  const mw = deadlineMiddleware();
  const server = createServer((req, res) =>
    mw(req, res, () => {
      handler(req, res).catch((error: unknown) => {
        const code = (error as { code?: string }).code;
        res.writeHead(code === 'DeadlineExceeded' ? 504 : 500).end(code ?? 'error');
      });
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('deadline propagation over HTTP, three hops', () => {
  const servers: Server[] = [];
  let a = '';
  let cStarted = 0;
  beforeAll(async () => {
    // C: sleeps `?sleep=` ms (cut short when its caller goes away), then reports the budget it was given.
    const c = await hop(async (req, res) => {
      cStarted++;
      const given = Number(req.headers['ballast-deadline-ms']);
      const sleep = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('sleep') ?? 0);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, sleep);
        res.once('close', () => (clearTimeout(timer), r()));
      });
      if (!res.writableEnded)
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ c: given }));
    });
    const b = await hop(async (req, res) => {
      const given = Number(req.headers['ballast-deadline-ms']);
      const down = await fetchWithDeadline(`${c.url}${req.url}`);
      const body = (await down.json()) as Record<string, number>;
      res
        .writeHead(down.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...body, b: given, bLeft: currentDeadline()?.remaining() }));
    });
    const first = await hop(async (req, res) => {
      const given = Number(req.headers['ballast-deadline-ms']);
      await new Promise((r) => setTimeout(r, 20)); // some work at A before calling on
      const down = await fetchWithDeadline(`${b.url}${req.url}`);
      if (!down.ok) return void res.writeHead(down.status).end(await down.text());
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...((await down.json()) as object), a: given }));
    });
    servers.push(c.server, b.server, first.server);
    a = first.url;
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('each hop gets what is left of the caller budget', async () => {
    // A budget a loaded machine does not spend on three local hops.
    const res = await fetch(`${a}/work?sleep=0`, { headers: { 'ballast-deadline-ms': '10000' } });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { a: number; b: number; c: number };
    expect(seen.a).toBe(10_000);
    expect(seen.b).toBeLessThanOrEqual(10_000 - 20);
    expect(seen.c).toBeLessThanOrEqual(seen.b);
    expect(seen.c).toBeGreaterThan(0);
  });

  it('a budget that runs out mid-chain fails every hop with 504, without waiting on the slow hop', async () => {
    // C would sleep for a minute: only the 300 ms budget can end the call within the (generous) bound.
    const res = await within(
      fetch(`${a}/work?sleep=60000`, { headers: { 'ballast-deadline-ms': '300' } }),
      'the 504',
    );
    expect(res.status).toBe(504);
  });

  it('a request that arrives with no time left is not started; a malformed header is a 400', async () => {
    const before = cStarted;
    const none = await fetch(`${a}/work`, { headers: { 'ballast-deadline-ms': '0' } });
    expect(none.status).toBe(504);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    const bad = await fetch(`${a}/work`, { headers: { 'ballast-deadline-ms': 'soon' } });
    expect(bad.status).toBe(400);
    expect(cStarted).toBe(before);
  });
});

describe('honoDeadline', () => {
  it('makes the deadline current for the handler; 400 malformed, 504 spent', async () => {
    const { Hono } = await import('hono');
    const { honoDeadline } = await import('../../../src/resilience/http/deadline-http.js');
    const app = new Hono();
    app.use('*', honoDeadline({ maxMs: 1_000 }));
    app.get('/left', (c) => c.json({ left: currentDeadline()?.remaining() ?? null }));
    const capped = (await (
      await app.request('/left', { headers: { 'ballast-deadline-ms': '50000' } })
    ).json()) as { left: number };
    expect(capped.left).toBeGreaterThan(0);
    expect(capped.left).toBeLessThanOrEqual(1_000);
    expect(((await (await app.request('/left')).json()) as { left: null }).left).toBeNull();
    expect((await app.request('/left', { headers: { 'ballast-deadline-ms': 'x' } })).status).toBe(
      400,
    );
    expect((await app.request('/left', { headers: { 'ballast-deadline-ms': '0' } })).status).toBe(
      504,
    );
  });
});
