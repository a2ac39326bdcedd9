/** Soft-real-time interactions on real stores: durable submit, status, one run per operation, stale drop, failures, 202 + Location. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import type { Consumer } from '../../src/queue/consumer.js';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdempotency, scopedKey } from '../../src/idempotency/idempotency.js';
import { EFFECTS_TABLE, writeEffect } from '../e2e/fixtures/inbox-effects.js';
import { acceptListener, acceptRoutes } from '../../src/interactions/accept-http.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import type { SoftRealTimeInteraction } from '../../src/interactions/soft-real-time.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { BallastError } from '../../src/core/errors.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';

type Resize = { image: string; width: number };

function suite(storeUrl: () => string): void {
  const open: Ballast[] = [];
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(open.splice(0).map((b) => b.close()));
  });
  const node = async (url: string, clock: FakeClock) => {
    const b = await openBallast({ store: url, clock, retentionSweepMs: 0, statsTtlMs: 0 });
    open.push(b);
    return b;
  };
  const resize = (b: Ballast, extra: { maxAttempts?: number } = {}) =>
    defineInteraction<Resize, { url: string }>({
      name: 'images.resize',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 60_000,
      ...extra,
    });
  const processWith = async (
    i: SoftRealTimeInteraction<Resize, { url: string }>,
    handler: (p: Resize) => Promise<{ url: string }> | { url: string },
  ) => {
    const c = await i.process(handler, { concurrency: 2, waitTimeSeconds: 0 });
    consumers.push(c);
    return c;
  };

  it('submit answers an operation id once the request is queued; a consumer completes it once; status follows', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = resize(b);
    const s = await i.submit({ image: 'cat.png', width: 200 });
    expect(s).toMatchObject({ duplicate: false, submittedAt: clock.now() });
    expect(s.operationId).toMatch(/^op_[A-Za-z0-9_-]{22}$/);
    expect(await i.status(s.operationId)).toEqual({
      operationId: s.operationId,
      state: 'pending',
      submittedAt: s.submittedAt,
    });
    expect((await (await b.queues.get(i.queueName)).depth()).visible).toBe(1);
    const runs: Resize[] = [];
    await processWith(i, (p) => (runs.push(p), { url: `/thumbs/${p.image}` }));
    await waitFor(async () => (await i.status(s.operationId))?.state === 'succeeded');
    expect(await i.status(s.operationId)).toMatchObject({
      state: 'succeeded',
      result: { url: '/thumbs/cat.png' },
      finishedAt: clock.now(),
    });
    expect(runs).toEqual([{ image: 'cat.png', width: 200 }]);
  });

  it('the same idempotency key answers the same operation and queues nothing new; another payload under it is refused', async () => {
    const b = await node(storeUrl(), new FakeClock());
    const i = resize(b);
    const first = await i.submit({ image: 'a.png', width: 1 }, { idempotencyKey: 'order-17' });
    const again = await i.submit({ image: 'a.png', width: 1 }, { idempotencyKey: 'order-17' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(
      await codeOf(i.submit({ image: 'b.png', width: 1 }, { idempotencyKey: 'order-17' })),
    ).toBe('IdempotencyKeyReused');
    expect((await (await b.queues.get(i.queueName)).depth()).visible).toBe(1);
  });

  it('drops a request that is older than maxAgeMs when its turn comes, without running the handler', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = resize(b);
    const s = await i.submit({ image: 'old.png', width: 1 });
    clock.advance(60_001);
    let ran = 0;
    await processWith(i, () => (ran++, { url: 'x' }));
    await waitFor(async () => (await i.status(s.operationId))?.state === 'dropped');
    expect(await i.status(s.operationId)).toMatchObject({
      state: 'dropped',
      reason: expect.stringContaining('past maxAgeMs (60000 ms)'),
    });
    expect(ran).toBe(0);
    await waitFor(async () => (await (await b.queues.get(i.queueName)).depth()).inFlight === 0);
    expect(await (await b.queues.get(i.queueName)).depth()).toMatchObject({
      visible: 0,
      inFlight: 0,
    });
  });

  it('retries a failing handler and records `failed` with its error after maxAttempts', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = resize(b, { maxAttempts: 2 });
    const s = await i.submit({ image: 'bad.png', width: 1 });
    let tries = 0;
    await processWith(i, () => {
      tries++;
      throw new TypeError('cannot decode bad.png');
    });
    await waitFor(async () => {
      clock.advance(100); // through the consumer's retry backoff (full jitter, at most 1 s after a first failure)
      return (await i.status(s.operationId))?.state === 'failed';
    });
    expect(tries).toBe(2);
    expect(await i.status(s.operationId)).toMatchObject({
      state: 'failed',
      error: { name: 'TypeError', message: 'cannot decode bad.png' },
    });
  });

  it('a handler that died shows as pending once its lease ends; a request no handler finished in maxAttempts tries is recorded failed', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = resize(b, { maxAttempts: 2 });
    const s = await i.submit({ image: 'crash.png', width: 1 });
    // A holder of the run record (as a handler that is then SIGKILLed): running while its lease lasts.
    await b.store.idempotency.begin(
      scopedKey('ballast.interaction:images.resize:run', s.operationId),
      'x',
      5_000,
      60_000,
    );
    expect((await i.status(s.operationId))?.state).toBe('running');
    clock.advance(5_001);
    expect((await i.status(s.operationId))?.state).toBe('pending');
    // Two receives that never finished (crashed handlers), then the next one gives up on it without running the handler.
    const queue = await b.queues.get(i.queueName);
    for (let k = 0; k < 2; k++) {
      expect(await queue.receive({ visibilityTimeout: 1 })).toHaveLength(1);
      clock.advance(1_000);
    }
    clock.advance(60_000); // the dead holder's record is gone too
    let ran = 0;
    await processWith(i, () => (ran++, { url: 'x' }));
    await waitFor(async () => (await i.status(s.operationId))?.state === 'failed');
    expect(await i.status(s.operationId)).toMatchObject({
      state: 'failed',
      error: { name: 'AttemptsExhausted' },
    });
    expect(ran).toBe(0);
  });

  it('transactional: a failed try rolls its writes back, the next commits them with the result; the last failed try is recorded without its writes', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const setup = createIdempotency({ store: b.store });
    await setup.runInTransaction({ key: 'schema' }, (tx) =>
      tx.dialect === 'sqlite'
        ? void tx.db.exec(EFFECTS_TABLE)
        : tx.client.query(EFFECTS_TABLE).then(() => undefined),
    );
    const rows = async () =>
      (
        await setup.runInTransaction({ key: `count-${Math.random()}` }, (tx) =>
          tx.dialect === 'sqlite'
            ? (tx.db.prepare('SELECT body FROM effects ORDER BY body').all() as { body: string }[])
            : tx.client
                .query<{ body: string }>('SELECT body FROM effects ORDER BY body')
                .then((r) => r.rows),
        )
      ).value.map((r) => r.body);
    const i = defineInteraction<{ name: string; fail: number }, void>({
      name: 'effects',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 60_000,
      maxAttempts: 2,
    });
    const flaky = await i.submit({ name: 'flaky', fail: 1 });
    const broken = await i.submit({ name: 'broken', fail: 9 });
    const consumer = await i.process(
      ({ name, fail }, { transaction, attempt }) => {
        const write = writeEffect(transaction, `${name}-${attempt}`, () => undefined);
        const boom = () => {
          if (attempt <= fail) throw new Error(`${name} failed on try ${attempt}`);
        };
        return write instanceof Promise ? write.then(boom) : boom();
      },
      { transactional: true, waitTimeSeconds: 0 },
    );
    consumers.push(consumer);
    await waitFor(async () => {
      clock.advance(100);
      const [a, c] = await Promise.all([i.status(flaky.operationId), i.status(broken.operationId)]);
      return a?.state === 'succeeded' && c?.state === 'failed';
    });
    expect(await rows()).toEqual(['flaky-2']); // try 1 of each was rolled back; broken's try 2 too
    expect(await i.status(broken.operationId)).toMatchObject({
      error: { message: 'broken failed on try 2' },
    });
  });

  it("transactional: a handler's own error is its failure even when it is a Ballast store error; on SQLite a handler that awaits fails at once and writes nothing", async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = defineInteraction<{ n: number }, void>({
      name: 'own-errors',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 60_000,
      maxAttempts: 1,
    });
    const op = await i.submit({ n: 1 });
    consumers.push(
      await i.process(
        () => {
          throw new BallastError('StoreUnavailable', 'the payments queue is down');
        },
        { transactional: true, waitTimeSeconds: 0 },
      ),
    );
    await waitFor(async () => (await i.status(op.operationId))?.state === 'failed');
    expect(await i.status(op.operationId)).toMatchObject({
      error: { message: 'the payments queue is down' },
    });
    if (b.store.kind !== 'sqlite') return;
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    const j = defineInteraction<{ n: number }, void>({
      name: 'awaits',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 60_000,
      maxAttempts: 3,
    });
    await expect(j.process(async () => undefined, { transactional: true })).rejects.toThrow(
      /must be synchronous/,
    );
    const setup = createIdempotency({ store: b.store });
    await setup.runInTransaction(
      { key: 'schema' },
      (tx) => void (tx as { db: { exec(sql: string): void } }).db.exec(EFFECTS_TABLE),
    );
    const late = await j.submit({ n: 2 });
    let tries = 0;
    consumers.push(
      await j.process(
        (_p, { transaction }) => {
          tries++;
          // A plain function that returns a promise: its write after the await must not land outside the transaction.
          return Promise.resolve().then(
            () => void writeEffect(transaction, 'after-await', () => undefined),
          );
        },
        { transactional: true, waitTimeSeconds: 0 },
      ),
    );
    await waitFor(async () => (await j.status(late.operationId))?.state === 'failed');
    expect(await j.status(late.operationId)).toMatchObject({
      error: { message: expect.stringContaining('must be synchronous') },
    });
    expect(tries).toBe(1); // final: not tried again
    const rows = (
      await setup.runInTransaction({ key: 'count' }, (tx) =>
        (tx as { db: { prepare(sql: string): { all(): unknown[] } } }).db
          .prepare('SELECT * FROM effects')
          .all(),
      )
    ).value;
    expect(rows).toEqual([]);
  });

  it('registration and message commit together: a send that fails leaves nothing registered, and the key can be used again', async () => {
    const b = await node(storeUrl(), new FakeClock());
    const i = resize(b);
    await i.submit({ image: 'warm.png', width: 1 }); // creates the queue
    await b.queues.delete(i.queueName);
    expect(await codeOf(i.submit({ image: 'x.png', width: 1 }, { idempotencyKey: 'k1' }))).toBe(
      'QueueDoesNotExist',
    );
    const ghost = await i.status(
      (await import('../../src/interactions/soft-real-time.js')).operationIdFor(
        'images.resize',
        'k1',
      ),
    );
    expect(ghost).toBeUndefined();
  });

  it('unknown and malformed operation ids have no status; bad payloads are refused before anything is stored', async () => {
    const b = await node(storeUrl(), new FakeClock());
    const i = defineInteraction({
      name: 'tiny',
      kind: 'soft-real-time',
      ballast: b,
      maxAgeMs: 5_000,
      maxPayloadBytes: 100,
    });
    expect(await i.status('op_AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(await i.status('../../etc/passwd')).toBeUndefined();
    expect(await codeOf(i.submit('x'.repeat(200)))).toBe('RequestEntityTooLarge');
    expect(await codeOf(i.submit({ n: 1n } as unknown))).toBe('InvalidParameterValue');
    expect(await codeOf(i.submit('x', { idempotencyKey: '' }))).toBe('InvalidParameterValue');
  });

  it('HTTP: 202 Accepted with a Location to poll, Retry-After until done, 404 for unknown ids, 400 for bad bodies', async () => {
    const clock = new FakeClock();
    const b = await node(storeUrl(), clock);
    const i = resize(b);
    const app = acceptRoutes(i, {
      parse: (body) => {
        const r = body as Resize;
        if (typeof r?.image !== 'string') throw new Error('image is required');
        return r;
      },
    });
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.request('/', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const accepted = await post(JSON.stringify({ image: 'dog.png', width: 64 }), {
      'idempotency-key': '"req-1"',
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    expect(location).toMatch(/^\/operations\/op_/);
    expect(accepted.headers.get('retry-after')).toBe('1');
    const retried = await post(JSON.stringify({ image: 'dog.png', width: 64 }), {
      'idempotency-key': '"req-1"',
    });
    expect(retried.headers.get('location')).toBe(location);
    const pending = await app.request(location);
    expect(pending.status).toBe(200);
    expect(pending.headers.get('retry-after')).toBe('1');
    expect(await pending.json()).toMatchObject({ state: 'pending' });
    await processWith(i, (p) => ({ url: `/t/${p.image}` }));
    await waitFor(
      async () =>
        ((await (await app.request(location)).json()) as { state: string }).state === 'succeeded',
    );
    const done = await app.request(location);
    expect(done.headers.get('retry-after')).toBeNull();
    expect(await done.json()).toMatchObject({ state: 'succeeded', result: { url: '/t/dog.png' } });
    expect((await app.request('/operations/op_AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await post('{not json')).status).toBe(400);
    const missing = await post(JSON.stringify({ width: 1 }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ detail: 'image is required' });
    expect(
      (
        await post(JSON.stringify({ image: 'other.png', width: 1 }), {
          'idempotency-key': '"req-1"',
        })
      ).status,
    ).toBe(422);
    expect((await post('"' + 'x'.repeat(300_000) + '"')).status).toBe(413);
    // A chunked body (no content-length) over the limit is refused as it streams in.
    const server = createServer(acceptListener(i, { maxBodyBytes: 1_024 }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            headers: { 'transfer-encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let k = 0; k < 8; k++) req.write(Buffer.alloc(512, 120));
        req.end();
      });
      expect(status).toBe(413);
    } finally {
      server.close();
    }
  });
}

describe('soft-real-time interactions on SQLite', () => {
  suite(() => `sqlite:${tempDbPath()}`);
});

describePg('soft-real-time interactions on PostgreSQL', () => {
  suite(() => `${PG_URL}?schema=${freshSchema()}`);

  it('two nodes: one accepts, the other completes, either answers the status', async () => {
    const url = `${PG_URL}?schema=${freshSchema()}`;
    const clock = new FakeClock();
    const [a, b] = [
      await openBallast({ store: url, clock, retentionSweepMs: 0 }),
      await openBallast({ store: url, clock, retentionSweepMs: 0 }),
    ];
    try {
      const onA = defineInteraction<number, number>({
        name: 'square',
        kind: 'soft-real-time',
        ballast: a,
        maxAgeMs: 60_000,
      });
      const onB = defineInteraction<number, number>({
        name: 'square',
        kind: 'soft-real-time',
        ballast: b,
        maxAgeMs: 60_000,
      });
      const ids = await Promise.all(
        [1, 2, 3, 4, 5].map(async (n) => (await onA.submit(n)).operationId),
      );
      const seen: number[] = [];
      const c = await onB.process((n) => (seen.push(n), n * n), { waitTimeSeconds: 0 });
      await waitFor(
        async () =>
          (await Promise.all(ids.map((id) => onA.status(id)))).every(
            (s) => s?.state === 'succeeded',
          ),
        15_000,
      );
      await c.stop();
      expect((await Promise.all(ids.map((id) => onA.status(id)))).map((s) => s?.result)).toEqual([
        1, 4, 9, 16, 25,
      ]);
      expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
