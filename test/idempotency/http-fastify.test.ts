import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency, fastifyIdempotency } from '../../src/idempotency/index.js';
import { tempDbPath } from '../helpers/ballast.js';

const idem = createIdempotency({ store: `sqlite:${tempDbPath()}` });
const app = Fastify();
let runs = 0;

beforeAll(async () => {
  await app.register(
    fastifyIdempotency(idem, { identity: (req) => String(req.headers['x-user'] ?? '') }),
  );
  app.post<{ Params: { id: string }; Body: { amount: number; fail?: boolean } }>(
    '/payments/:id',
    async (req, reply) => {
      runs++;
      if (req.body.fail) return reply.code(500).send({ error: 'boom' });
      return reply
        .code(201)
        .header('location', `/payments/${runs}`)
        .send({ run: runs, id: req.params.id, amount: req.body.amount });
    },
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await idem.close();
});

const post = (url: string, key: string | undefined, payload: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    payload: JSON.stringify(payload),
  });

describe('HTTP idempotency middleware (Fastify)', () => {
  it('replays the first response with Idempotent-Replayed; 422 for another request under the key', async () => {
    const before = runs;
    const first = await post('/payments/a', '"f-1"', { amount: 3 });
    expect(first.statusCode).toBe(201);
    const again = await post('/payments/a', '"f-1"', { amount: 3 });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(runs - before).toBe(1);
    const reused = await post('/payments/a', '"f-1"', { amount: 4 });
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('does not store 5xx; rejects bad keys; requests without a key run normally', async () => {
    const before = runs;
    expect((await post('/payments/b', 'f-2', { amount: 1, fail: true })).statusCode).toBe(500);
    expect((await post('/payments/b', 'f-2', { amount: 1, fail: true })).statusCode).toBe(500);
    expect(runs - before).toBe(2);
    expect((await post('/payments/c', '"a\\nb"', { amount: 1 })).statusCode).toBe(400);
    expect((await post('/payments/c', undefined, { amount: 1 })).statusCode).toBe(201);
  });
});
