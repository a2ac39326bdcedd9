import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentFetch } from '../../src/idempotency/index.js';

let server: Server;
let url: string;
const seen: { key: string | undefined; body: string }[] = [];
let script: { status: number; headers?: Record<string, string> }[] = [];
let dropNext = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ key: req.headers['idempotency-key'] as string | undefined, body });
      if (dropNext > 0) {
        dropNext--;
        req.socket.destroy();
        return;
      }
      const next = script.shift() ?? { status: 201 };
      res.writeHead(next.status, next.headers ?? {}).end(JSON.stringify({ n: seen.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const fast = { backoff: { baseSeconds: 0.001, maxSeconds: 0.005 } };

describe('idempotentFetch', () => {
  it('sends one quoted Idempotency-Key and keeps it across retries of network errors, 5xx, 409 and 429', async () => {
    seen.length = 0;
    script = [{ status: 503 }, { status: 409, headers: { 'retry-after': '0' } }, { status: 429 }];
    dropNext = 1;
    const res = await idempotentFetch(url, { method: 'POST', body: '{"amount":5}' }, fast);
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(5);
    const keys = new Set(seen.map((s) => s.key));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^"[0-9a-f-]{36}"$/);
    expect(seen.every((s) => s.body === '{"amount":5}')).toBe(true);
  });

  it('does not retry other 4xx, stops after maxAttempts, and gives up on a long Retry-After', async () => {
    seen.length = 0;
    script = [{ status: 422 }];
    expect(
      (await idempotentFetch(url, { method: 'POST', body: 'x' }, { ...fast, key: 'mine' })).status,
    ).toBe(422);
    expect(seen.map((s) => s.key)).toEqual(['"mine"']);
    seen.length = 0;
    script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    expect(
      (await idempotentFetch(url, { method: 'POST', body: 'x' }, { ...fast, maxAttempts: 3 }))
        .status,
    ).toBe(500);
    expect(seen).toHaveLength(3);
    seen.length = 0;
    script = [{ status: 503, headers: { 'retry-after': '120' } }];
    expect((await idempotentFetch(url, { method: 'POST', body: 'x' }, fast)).status).toBe(503);
    expect(seen).toHaveLength(1);
  });
});
