import { beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import {
  advanceUntil,
  openTestBallast,
  useTestBallast,
  waitFor,
  within,
} from '../helpers/ballast.js';

describe('consumer runtime', () => {
  const fixture = useTestBallast();
  let b: Ballast;
  let clock: FakeClock;
  beforeEach(() => ({ b, clock } = fixture));

  it('runs every message once, never more than `concurrency` at a time, and deletes on success', async () => {
    const q = await b.queues.create('work');
    await q.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `a${i}` })));
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    const c = q.consume(
      async (m) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        seen.push(m.body);
        running--;
      },
      { concurrency: 3 },
    );
    await q.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `b${i}` })));
    await waitFor(() => seen.length === 20);
    await c.stop();
    expect(new Set(seen).size).toBe(20);
    expect(peak).toBeLessThanOrEqual(3);
    await waitFor(async () => (await q.depth()).inFlight === 0);
    expect(await q.depth()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('a failed message comes back after a full-jitter backoff and lands in the DLQ after maxReceiveCount', async () => {
    await b.queues.create('jobs-dlq');
    const q = await b.queues.create('jobs', {
      deadLetterQueue: { queue: 'jobs-dlq', maxReceiveCount: 3 },
    });
    const failures: number[] = [];
    b.queues.events.on('handler:failed', (e) => failures.push(e.retryInSeconds));
    const attempts: number[] = [];
    const c = q.consume(
      (m) => {
        attempts.push(m.receiveCount);
        throw new Error('boom');
      },
      { concurrency: 1, random: () => 0.99, retry: { baseSeconds: 2, maxSeconds: 60 } },
    );
    await q.send('poison');
    await waitFor(() => failures.length === 1);
    // Attempt 1: ceiling 2 s, so the retry is in round(0.99 · 2) = 2 s.
    expect(failures[0]).toBe(2);
    // Time moves in 250 ms steps (not one jump a poll might sleep past) until the retry runs.
    const failedAt = clock.now();
    await advanceUntil(clock, () => failures.length === 2, 250);
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(2_000); // not before its backoff
    expect(failures[1]).toBe(4); // ceiling 4 s
    await advanceUntil(clock, () => failures.length === 3, 250);
    const dlq = await b.queues.get('jobs-dlq');
    await advanceUntil(clock, async () => (await dlq.depth()).visible === 1, 250);
    await c.stop();
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('extends visibility while a handler runs (heartbeat)', async () => {
    const q = await b.queues.create('slow', { visibilityTimeout: 30 });
    let release!: () => void;
    const started: string[] = [];
    const c = q.consume(async (m) => {
      started.push(m.messageId);
      await new Promise<void>((r) => (release = r));
    });
    await q.send('long job');
    await waitFor(() => started.length === 1);
    const { id } = (await b.store.queues.getQueue('slow'))!;
    for (let t = 0; t < 6; t++) {
      clock.advance(15_000);
      // The heartbeat's visibility change has landed (30 s from now) before time moves again:
      // it is not awaited by the heartbeat, and a loaded machine can take long over it.
      await waitFor(async () => (await b.store.queues.nextVisibleAt(id)) === clock.now() + 30_000);
    }
    // 90 s after the receive, far past the 30 s visibility: still in flight, never handed out twice.
    expect(await q.depth()).toMatchObject({ visible: 0, inFlight: 1 });
    expect(started.length).toBe(1);
    release();
    await waitFor(async () => (await q.depth()).inFlight === 0);
    await c.stop();
  });

  it('stop() waits for running handlers, then aborts the rest and releases their messages', async () => {
    const q = await b.queues.create('stop');
    let signal: AbortSignal | undefined;
    const c = q.consume(
      async (_m, ctx) => {
        signal = ctx.signal;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      },
      { stopTimeoutMs: 5_000 },
    );
    await q.send('stuck');
    await waitFor(() => signal !== undefined);
    let stopped = false;
    const stopAt = clock.now();
    const stopping = c.stop().then(() => (stopped = true));
    // Move time in steps until the 5 s grace period has passed and stop() finished. The grace
    // period starts once stop() has ended the claim loop (store calls): a loaded machine may take
    // several steps over that, so the steps go on until stop() ends (a real-time bound), not for
    // a fixed count.
    const giveUpAt = Date.now() + 15_000;
    while (!stopped && Date.now() < giveUpAt) {
      await new Promise((r) => setTimeout(r, 5));
      if (clock.now() - stopAt < 5_000) expect(signal?.aborted).toBe(false);
      clock.advance(500);
    }
    await stopping;
    expect(signal?.aborted).toBe(true);
    expect(c.running).toBe(false);
    // Released: visible again at once, with its receive count kept.
    const [again] = await q.receive();
    expect(again?.body).toBe('stuck');
    expect(again?.receiveCount).toBe(2);
  });

  it('holds no more than prefetchBytes of bodies beyond its running handlers, and releases them on stop', async () => {
    const q = await b.queues.create('big');
    const body = 'x'.repeat(100_000);
    await q.sendBatch(Array.from({ length: 8 }, () => ({ body })));
    await q.sendBatch(Array.from({ length: 8 }, () => ({ body })));
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = q.consume(
      async () => {
        started++;
        await gate;
      },
      { concurrency: 1, prefetchBytes: 250_000 },
    );
    await waitFor(() => started === 1);
    // Let the claim loop try to refill a few times; the byte budget must keep it small.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    const held = (await q.depth()).inFlight;
    // One running + at most what 250 kB allows at the assumed 64 KiB average (3), never the whole backlog.
    expect(held).toBeGreaterThanOrEqual(1);
    expect(held).toBeLessThanOrEqual(4);
    const stopping = c.stop();
    release();
    await stopping;
    // The one handler finished (deleted); everything buffered is visible again at once.
    expect(await q.depth()).toMatchObject({ visible: 15, inFlight: 0 });
  });

  it('claims in big batches from a backlog (adaptive prefetch) and handles each message once', async () => {
    const q = await b.queues.create('backlog');
    for (let i = 0; i < 10; i++)
      await q.sendBatch(Array.from({ length: 10 }, (_, j) => ({ body: `${i}-${j}` })));
    const sizes: number[] = [];
    b.queues.events.on('message:received', (e) => sizes.push(e.count));
    const seen = new Set<string>();
    const c = q.consume((m) => void seen.add(m.body), { concurrency: 2 });
    await waitFor(() => seen.size === 100);
    await c.stop();
    // The first claim fills the adaptive buffer (40 × concurrency at most) in one statement.
    expect(sizes[0]).toBe(82);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(100);
  });
});

describe('long polling', () => {
  it('returns as soon as a message is sent (a wake-up, not a timer)', async () => {
    // On a FakeClock that never moves, the 1 s fallback re-check never comes: only the send's
    // wake-up can end the poll.
    const clock = new FakeClock();
    const b = await openTestBallast({ clock });
    try {
      const q = await b.queues.create('lp');
      const base = clock.pendingSleepers;
      const pending = q.receive({ waitTimeSeconds: 20 });
      await waitFor(() => clock.pendingSleepers > base); // the poll sleeps
      await q.send('hello');
      const got = await within(pending, 'the wake-up of the long poll');
      expect(got.map((m) => m.body)).toEqual(['hello']);
    } finally {
      await b.close();
    }
  });

  it('wakes when a delayed message becomes visible, and returns empty at the deadline', async () => {
    const clock = new FakeClock();
    const b = await openTestBallast({ clock });
    try {
      const q = await b.queues.create('lp2');
      await q.send('later', { delaySeconds: 5 });
      // Background work (the move-task watcher) sleeps too: wait for the poll's own sleep.
      const base = clock.pendingSleepers;
      const pending = q.receive({ waitTimeSeconds: 20 });
      await waitFor(() => clock.pendingSleepers > base);
      clock.advance(5_000);
      expect((await pending).map((m) => m.body)).toEqual(['later']);
      const empty = q.receive({ waitTimeSeconds: 2 });
      for (let i = 0; i < 2; i++) {
        await waitFor(() => clock.pendingSleepers > base);
        clock.advance(1_000);
      }
      expect(await empty).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('ends early when its signal aborts', async () => {
    const b = await openTestBallast();
    try {
      const q = await b.queues.create('lp3');
      const ac = new AbortController();
      const pending = q.receive({ waitTimeSeconds: 20, signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      expect(await pending).toEqual([]);
    } finally {
      await b.close();
    }
  });
});

describe('idempotent consumers', () => {
  it('a message already handled (same message id) is deleted without running the handler again', async () => {
    const { createIdempotency } = await import('../../src/idempotency/index.js');
    const b = await openTestBallast();
    try {
      const idem = createIdempotency({ store: b.store });
      const q = await b.queues.create('idem-q');
      const first = await q.send('pay 5');
      const second = await q.send('pay 6');
      // As if an earlier delivery of the first message ran and its delete was lost.
      await idem.run({ key: first.messageId, scope: 'queue:idem-q' }, () => null);
      const ran: string[] = [];
      const c = q.consume((m) => void ran.push(m.body), { idempotency: idem });
      await waitFor(async () => (await q.depth()).visible + (await q.depth()).inFlight === 0);
      await c.stop();
      expect(ran).toEqual(['pay 6']);
      expect(second.messageId).not.toBe(first.messageId);
    } finally {
      await b.close();
    }
  });

  it('transactional: the handler writes through context.transaction, a failed attempt leaves nothing, and it needs an idempotency helper', async () => {
    const { createIdempotency } = await import('../../src/idempotency/index.js');
    const b = await openTestBallast();
    try {
      const idem = createIdempotency({ store: b.store });
      await idem.runInTransaction(
        { key: 'schema' },
        (tx) => void (tx.dialect === 'sqlite' && tx.db.exec('CREATE TABLE paid (body TEXT)')),
      );
      const q = await b.queues.create('tx-q');
      expect(() => q.consume(() => undefined, { transactional: true })).toThrow(
        /needs an idempotency helper/,
      );
      await q.send('pay 5');
      let attempts = 0;
      const c = q.consume(
        (m, { transaction }) => {
          if (transaction?.dialect !== 'sqlite') throw new Error('expected the SQLite transaction');
          transaction.db.prepare('INSERT INTO paid VALUES (?)').run(m.body);
          if (++attempts === 1) throw new Error('fails after writing');
        },
        { idempotency: idem, transactional: true, retry: { baseSeconds: 0.05, maxSeconds: 0.05 } },
      );
      await waitFor(
        async () =>
          (await q.depth()).visible + (await q.depth()).inFlight + (await q.depth()).delayed === 0,
      );
      await c.stop();
      const rows = await idem.runInTransaction({ key: 'read' }, (tx) =>
        tx.dialect === 'sqlite' ? tx.db.prepare('SELECT body FROM paid').all() : [],
      );
      expect(attempts).toBe(2);
      expect(rows.value).toEqual([{ body: 'pay 5' }]);
    } finally {
      await b.close();
    }
  });
});
