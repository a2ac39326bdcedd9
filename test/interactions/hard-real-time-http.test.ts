/**
 * A hard-real-time interaction against a real local HTTP server: a hung dependency is cut off at
 * the deadline and sees its request aborted; attempts carry their remaining budget in the header;
 * a dependency that fails then answers is retried to success.
 *
 * Deadlines and attempt timeouts run on a FakeClock that moves only once the server has the
 * request: on a loaded machine a real 150 ms deadline could pass before the request arrived.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEADLINE_HEADER } from '../../src/resilience/deadline.js';
import { fetchWithDeadline } from '../../src/resilience/http/deadline-http.js';
import { defineInteraction } from '../../src/interactions/interaction.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';

describe('hard-real-time interaction over real HTTP', () => {
  let server: Server;
  let url = '';
  const budgets: number[] = [];
  let aborted = 0;
  let flaky = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      budgets.push(Number(req.headers[DEADLINE_HEADER]));
      if (req.url === '/hang') return void req.once('close', () => aborted++);
      if (req.url === '/flaky' && flaky++ < 2) return void res.writeHead(503).end('busy');
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string) => {
    const res = await fetchWithDeadline(`${url}${path}`);
    if (res.status >= 500)
      throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
    return res.text();
  };

  it('cuts a hung dependency off at the deadline and the server sees the request aborted', async () => {
    budgets.length = 0;
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'hung',
      kind: 'hard-real-time',
      deadlineMs: 150,
      breaker: false,
      clock,
    });
    let settled = false;
    const outcome = codeOf(i.call(() => get('/hang'))).finally(() => (settled = true));
    await waitFor(() => budgets.length === 1, 10_000);
    expect(budgets[0]).toBeLessThanOrEqual(150);
    expect(budgets[0]).toBeGreaterThan(0);
    clock.advance(149);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // not cut off before the deadline
    clock.advance(1);
    expect(await outcome).toBe('DeadlineExceeded');
    await waitFor(() => aborted === 1, 10_000);
    expect(budgets).toHaveLength(1);
  });

  it('each attempt sends the budget it has (its own timeout inside the deadline)', async () => {
    budgets.length = 0;
    const clock = new FakeClock();
    const i = defineInteraction({
      name: 'attempts',
      kind: 'hard-real-time',
      deadlineMs: 2_000,
      attemptTimeoutMs: 100,
      idempotent: true,
      retry: { maxAttempts: 3, backoff: 'none' },
      breaker: false,
      clock,
    });
    const outcome = codeOf(i.call(() => get('/hang')));
    for (let n = 1; n <= 3; n++) {
      // Each attempt times out only once the server has it.
      await waitFor(() => budgets.length === n, 10_000);
      clock.advance(100);
    }
    expect(await outcome).toBe('DeadlineExceeded');
    expect(budgets).toHaveLength(3);
    for (const b of budgets) expect(b).toBeLessThanOrEqual(100);
    expect(i.stats()).toMatchObject({ attempts: 3, attemptTimeouts: 3 });
  });

  it('retries a 503 and succeeds', async () => {
    // The deadline is not what this checks: a generous one that a loaded machine does not reach.
    const i = defineInteraction({
      name: 'flaky',
      kind: 'hard-real-time',
      deadlineMs: 10_000,
      idempotent: true,
      retry: { baseMs: 5 },
    });
    expect(await i.call(() => get('/flaky'))).toBe('ok');
    expect(i.stats()).toMatchObject({ attempts: 3, retries: 2, succeeded: 1 });
  });
});
