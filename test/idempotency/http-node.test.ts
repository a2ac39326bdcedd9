import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  expressIdempotency,
  readIdempotencyKey,
} from '../../src/idempotency/index.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';

let server: Server;
let base: string;
let runs = 0;
let gate: Promise<void> | null = null;
const idem = createIdempotency({ store: `sqlite:${tempDbPath()}`, leaseSeconds: 30 });

beforeAll(async () => {
  const mw = expressIdempotency(idem, {
    identity: (req) => String(req.headers['x-user'] ?? ''),
    headers: ['content-type', 'x-order'],
  });
  server = createServer((req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      req.body = text === '' ? undefined : (JSON.parse(text) as unknown);
      mw(req, res, () => {
        void (async () => {
          runs++;
          if (gate) await gate;
          const body = req.body as { fail?: boolean; amount?: number } | undefined;
          if (body?.fail) {
            res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
            return;
          }
          res.writeHead(201, {
            'content-type': 'application/json',
            'x-order': `o-${runs}`,
            'x-not-kept': 'y',
          });
          res.end(JSON.stringify({ run: runs, amount: body?.amount }));
        })();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await idem.close();
});

const post = (key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/payments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });

describe('HTTP idempotency middleware (node:http, IETF draft)', () => {
  it('runs once and replays the first response with Idempotent-Replayed: true', async () => {
    const before = runs;
    const first = await post('"k-1"', { amount: 5 });
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const again = await post('k-1', { amount: 5 });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('x-order')).toBe(first.headers.get('x-order'));
    expect(again.headers.get('x-not-kept')).toBeNull();
    expect(await again.text()).toBe(firstBody);
    expect(runs - before).toBe(1);
  });

  it('422 for a key reused with another request, 409 with Retry-After while in flight', async () => {
    await post('k-2', { amount: 5 });
    const reused = await post('k-2', { amount: 6 });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect(await reused.json()).toMatchObject({
      status: 422,
      title: 'Idempotency-Key is already used',
    });
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const running = runs;
    const slow = post('k-3', { amount: 1 });
    await waitFor(() => runs > running); // its handler runs (holding the key), held at the gate
    const busy = await post('k-3', { amount: 1 });
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    open();
    gate = null;
    expect((await slow).status).toBe(201);
  });

  it('does not store 5xx (the retry runs again); scopes keys by caller; leaves GET alone; rejects bad keys', async () => {
    const before = runs;
    expect((await post('k-4', { fail: true })).status).toBe(500);
    expect((await post('k-4', { fail: true })).status).toBe(500);
    expect(runs - before).toBe(2);
    const a = await post('shared', { amount: 1 }, { 'x-user': 'alice' });
    const b = await post('shared', { amount: 1 }, { 'x-user': 'bob' });
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect((await a.json()) as unknown).not.toEqual(await b.json());
    expect(
      (await fetch(`${base}/payments`, { headers: { 'idempotency-key': 'k-5' } })).status,
    ).toBe(201);
    for (const bad of ['""', `"${'x'.repeat(256)}"`, '"unterminated']) {
      const r = await post(bad, { amount: 1 });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('parses structured-field strings and bare keys', () => {
    expect(readIdempotencyKey('"8e03978e-40d5"')).toEqual({ key: '8e03978e-40d5' });
    expect(readIdempotencyKey('"a\\"b\\\\c"')).toEqual({ key: 'a"b\\c' });
    expect(readIdempotencyKey('bare-token')).toEqual({ key: 'bare-token' });
    expect(readIdempotencyKey(undefined)).toEqual({ missing: true });
    expect(readIdempotencyKey('"a\\nb"')).toMatchObject({
      invalid: expect.stringContaining('escape'),
    });
  });
});
