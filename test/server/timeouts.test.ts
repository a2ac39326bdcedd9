/**
 * Slow clients (issue 12, item 7): a request must arrive whole within `requestTimeoutMs` and its
 * headers within `headersTimeoutMs` (408, connection closed), while a long poll — slow to answer,
 * not slow to ask — is never cut; one client address holds at most `maxConnectionsPerClient`
 * connections. Real sockets on 127.0.0.1, short configured limits.
 */
import { connect, type Socket } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '../../src/server/index.js';
import { resolveServerLimits } from '../../src/server/options.js';
import { startTestServer, type TestServer } from './helpers.js';

const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
});

/** A connected raw socket to the server (optionally from another loopback address). */
function open(server: TestServer, localAddress?: string): Promise<Socket> {
  const { port } = server.server;
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) }, () =>
      resolve(s),
    );
    sockets.push(s);
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString('latin1')));
    s.on('error', () => undefined);
    s.once('close', () => resolve(data));
  });
}

/** Sends GET /healthz on `s`; the status line, or 'closed' when the server closed the connection instead. */
function health(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const onData = (d: Buffer): void => {
      data += d.toString('latin1');
      const line = data.split('\r\n', 1)[0]!;
      if (data.includes('\r\n')) {
        s.off('data', onData);
        resolve(line);
      }
    };
    s.on('data', onData);
    s.on('error', () => undefined);
    s.once('close', () => resolve('closed'));
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

/** Writes `chunk` every `everyMs` until the socket closes; returns how many writes went out. */
function trickle(s: Socket, chunk: string, everyMs: number): { count: () => number } {
  let n = 0;
  const timer = setInterval(() => {
    if (s.destroyed || !s.writable) return clearInterval(timer);
    s.write(chunk);
    n += 1;
  }, everyMs);
  timers.push(timer);
  return { count: () => n };
}

describe('request and header timeouts', () => {
  let t: TestServer;
  const logged: { level: string; fields: Record<string, unknown> }[] = [];
  const log = (level: string) => (fields: object) =>
    void logged.push({ level, fields: fields as Record<string, unknown> });
  beforeAll(async () => {
    const logger = {
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      debug: log('debug'),
    };
    t = await startTestServer({ requestTimeoutMs: 800, headersTimeoutMs: 400, logger });
  });
  afterAll(() => t.close());

  it('a client that sends its headers, then the body 1 byte at a time, is answered 408 and cut at the request timeout', async () => {
    const s = await open(t);
    const closed = untilClosed(s);
    s.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 1000\r\n\r\n',
    );
    const sent = trickle(s, ' ', 100);
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Cut long before the 1000-byte body could have arrived.
    expect(sent.count()).toBeLessThan(1000);
    // The handler that was reading the body sees the client's fault (408), not a server error.
    await expect
      .poll(() => logged.find((l) => l.fields.code === 'RequestTimeout')?.level)
      .toBe('debug');
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  }, 15_000);

  it('a client that trickles its headers is answered 408 and cut at the headers timeout', async () => {
    const s = await open(t);
    const closed = untilClosed(s);
    s.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const sent = trickle(s, 'X-Slow: y\r\n', 50);
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent.count()).toBeLessThan(1000);
  }, 15_000);

  it('a long poll (WaitTimeSeconds 20) outlives the request timeout: only receiving the request is timed', async () => {
    const { QueueUrl } = await t.client.send(new CreateQueueCommand({ QueueName: 'long-poll' }));
    const poller = t.newClient();
    const polling = poller.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    // Well past the 800 ms request timeout (and its checking interval) before the message exists.
    await new Promise((r) => setTimeout(r, 2_500));
    await t.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
    const { Messages } = await polling;
    expect(Messages?.map((m) => m.Body)).toEqual(['late']);
  }, 25_000);

  it('a normal request on a kept-alive connection is unaffected', async () => {
    const s = await open(t);
    expect(await health(s)).toBe('HTTP/1.1 200 OK');
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await health(s)).toBe('HTTP/1.1 200 OK');
  });
});

/** Opens `n` connections the server accepted (each answered a request), retrying while earlier tests' connections close. */
async function holdAccepted(server: TestServer, n: number): Promise<Socket[]> {
  const held: Socket[] = [];
  for (let tries = 0; held.length < n && tries < 100; tries += 1) {
    const s = await open(server);
    if ((await health(s)) === 'HTTP/1.1 200 OK') held.push(s);
    else await new Promise((r) => setTimeout(r, 20));
  }
  expect(held).toHaveLength(n);
  return held;
}

describe('connections per client address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxConnectionsPerClient: 3 });
  });
  afterAll(() => t.close());

  it('closes a connection beyond the cap at once, serves the others, and admits again when one closes', async () => {
    const held = await holdAccepted(t, 3);
    const extra = await open(t);
    expect(await untilClosed(extra)).toBe('');
    for (const s of held) expect(await health(s)).toBe('HTTP/1.1 200 OK');
    held[0]!.destroy();
    // The server sees the close asynchronously: retry until a slot is free.
    let status = 'closed';
    for (let i = 0; i < 50 && status === 'closed'; i += 1) {
      status = await health(await open(t));
      if (status === 'closed') await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe('HTTP/1.1 200 OK');
  });

  it('counts each client address on its own (127.0.0.2 is another client)', async () => {
    const held = await holdAccepted(t, 3);
    expect(await health(await open(t))).toBe('closed');
    expect(await health(await open(t, '127.0.0.2'))).toBe('HTTP/1.1 200 OK');
    for (const s of held) s.destroy();
  });
});

describe('the limits resolve once, with documented defaults', () => {
  it('defaults to 30 s for the request, 10 s for headers, 256 connections per client; 0 = no cap', () => {
    expect(resolveServerLimits({})).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      maxConnectionsPerClient: 256,
    });
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      maxConnectionsPerClient: 256,
    });
    expect(resolveServerLimits({ maxConnectionsPerClient: 0 }).maxConnectionsPerClient).toBeNull();
    expect(resolveServerLimits({ requestTimeoutMs: 500 }).headersTimeoutMs).toBe(500);
  });

  it('refuses headers longer than the request, and out-of-range values', () => {
    expect(() => resolveServerLimits({ requestTimeoutMs: 1_000, headersTimeoutMs: 2_000 })).toThrow(
      /headersTimeoutMs/,
    );
    expect(() => resolveServerLimits({ requestTimeoutMs: 10 })).toThrow(/requestTimeoutMs/);
    expect(() => resolveServerLimits({ maxConnectionsPerClient: -1 })).toThrow(
      /maxConnectionsPerClient/,
    );
  });
});
