import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdempotency, honoIdempotency } from '../../src/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';

const idem = createIdempotency({ store: `sqlite:${tempDbPath()}` });
afterAll(() => idem.close());

let runs = 0;
const app = new Hono();
app.use('/payments/*', honoIdempotency(idem, { identity: (c) => c.req.header('x-user') ?? '' }));
app.post('/payments/:id', async (c) => {
  runs++;
  const body = await c.req.json<{ amount: number; fail?: boolean }>();
  if (body.fail) return c.json({ error: 'boom' }, 500);
  return c.json({ run: runs, id: c.req.param('id'), amount: body.amount }, 201, {
    location: `/payments/${runs}`,
  });
});

const post = (path: string, key: string | undefined, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });

describe('HTTP idempotency middleware (Hono)', () => {
  it('replays the first response (status, kept headers, body) with Idempotent-Replayed', async () => {
    const before = runs;
    const first = await post('/payments/a', '"h-1"', { amount: 3 });
    expect(first.status).toBe(201);
    const again = await post('/payments/a', '"h-1"', { amount: 3 });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await again.json()).toEqual(await first.json());
    expect(runs - before).toBe(1);
  });

  it('422 for another request under the same key; 5xx not stored; bad keys 400', async () => {
    await post('/payments/b', 'h-2', { amount: 1 });
    const reused = await post('/payments/b', 'h-2', { amount: 2 });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    const before = runs;
    expect((await post('/payments/c', 'h-3', { amount: 1, fail: true })).status).toBe(500);
    expect((await post('/payments/c', 'h-3', { amount: 1, fail: true })).status).toBe(500);
    expect(runs - before).toBe(2);
    expect((await post('/payments/d', '""', { amount: 1 })).status).toBe(400);
    expect((await post('/payments/d', undefined, { amount: 1 })).status).toBe(201);
  });
});
