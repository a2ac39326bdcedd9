/**
 * The HTTP idempotency middleware on plain node:http with no body parser before it (issue 14):
 * it reads and fingerprints the body itself (422 for a key reused with another body), and the
 * handler still reads the body from the stream, from `req.rawBody` and (JSON) from `req.body`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency, expressIdempotency } from '../../src/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';

type Req = IncomingMessage & { body?: unknown; rawBody?: Buffer };

let server: Server;
let base: string;
let runs = 0;
const idem = createIdempotency({ store: `sqlite:${tempDbPath()}`, leaseSeconds: 30 });

/** Reads the stream the classic way: 'data' then 'end' (would hang if the middleware swallowed it). */
const streamed = (req: Req): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });

/** Reads the stream with `for await`. */
const iterated = async (req: Req): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

beforeAll(async () => {
  const mw = expressIdempotency(idem, { maxRequestBytes: 64 * 1024 });
  server = createServer((req: Req, res: ServerResponse) =>
    mw(req, res, () => {
      void (async () => {
        runs++;
        const text = req.url === '/iterate' ? await iterated(req) : await streamed(req);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            run: runs,
            streamed: text,
            raw: req.rawBody?.toString() ?? null,
            body: req.body ?? null,
          }),
        );
      })();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await idem.close();
});

const post = (path: string, key: string, body: string, type = 'application/json') =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, 'idempotency-key': key },
    body,
  });

describe('HTTP idempotency middleware on plain node:http without a body parser', () => {
  it('fingerprints the body itself: replay for the same body, 422 for another', async () => {
    const first = await post('/pay', 'raw-1', '{"amount":5}');
    expect(first.status).toBe(201);
    const sent = (await first.json()) as Record<string, unknown>;
    // The handler read the body from the stream as if nothing had read it before.
    expect(sent).toMatchObject({
      streamed: '{"amount":5}',
      raw: '{"amount":5}',
      body: { amount: 5 },
    });
    const again = await post('/pay', 'raw-1', '{ "amount": 5 }'); // same JSON, other spacing
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(sent);
    const other = await post('/pay', 'raw-1', '{"amount":6}');
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  it('fingerprints a body that is not JSON by its text, and `for await` still reads it', async () => {
    const first = await post('/iterate', 'raw-2', 'hello', 'text/plain');
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ streamed: 'hello', raw: 'hello', body: null });
    expect((await post('/iterate', 'raw-2', 'hello', 'text/plain')).status).toBe(201);
    expect((await post('/iterate', 'raw-2', 'bye', 'text/plain')).status).toBe(422);
  });

  it('reads a large chunked body whole and hands it on intact', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(40_000) });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = new TextEncoder().encode(big);
        for (let i = 0; i < bytes.length; i += 4096) c.enqueue(bytes.subarray(i, i + 4096));
        c.close();
      },
    });
    const res = await fetch(`${base}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'raw-3' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(201);
    const got = (await res.json()) as { streamed: string };
    expect(got.streamed).toBe(big);
  });

  it('answers 413 past maxRequestBytes without running the handler', async () => {
    const before = runs;
    const res = await post('/pay', 'raw-4', JSON.stringify({ data: 'x'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(runs).toBe(before);
  });

  it('leaves a request without a body alone (the handler still sees its end)', async () => {
    const res = await fetch(`${base}/pay`, {
      method: 'POST',
      headers: { 'idempotency-key': 'raw-5' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ streamed: '', raw: null, body: null });
  });
});
