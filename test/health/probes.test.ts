import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  BODY_SEARCH_BYTES,
  createProbeAgents,
  functionProbe,
  httpProbe,
  probeFor,
  type ProbeAgents,
  tcpProbe,
} from '../../src/health/probes.js';
import type { Probe, ProbeResult } from '../../src/health/types.js';
import { waitFor } from '../helpers/ballast.js';

/** An HTTP server on 127.0.0.1 that counts the connections it accepted and can be killed. */
class TestServer {
  readonly server: Server;
  readonly sockets = new Set<Socket>();
  connections = 0;
  requests = 0;
  closedRequests = 0;
  port = 0;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      this.requests++;
      res.on('close', () => this.closedRequests++);
      handler(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Stops listening and drops every open connection, as a killed process would. */
  kill(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }
}

const big = 'a'.repeat(BODY_SEARCH_BYTES + 1_000);
function route(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/ok':
      return void res.end('all good');
    case '/500':
      return void res.writeHead(500).end('broken');
    case '/404':
      return void res.writeHead(404).end();
    case '/redirect':
      return void res.writeHead(302, { location: '/500' }).end();
    case '/near-limit':
      // The marker ends exactly at byte 5,120, split over two writes.
      res.write('a'.repeat(BODY_SEARCH_BYTES - 10));
      return void res.end('MARKER-END');
    case '/past-limit':
      return void res.end(`${big}MARKER`);
    case '/hang':
      return;
    case '/unicode':
      return void res.end('status: grün ✓');
    default:
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers['user-agent']);
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await new TestServer(route).start();
});
afterAll(() => server.kill());

const timeoutSignal = (ms: number): AbortSignal => AbortSignal.timeout(ms);
const never = (): AbortSignal => new AbortController().signal;
const probeUrl = (path: string, extra: Record<string, unknown> = {}): Probe =>
  httpProbe({ id: path, url: server.url(path), ...extra });

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('httpProbe', () => {
  it('is ok on 200, measures the time it took, and leaves no listener on the signal', async () => {
    const signal = never();
    const result = await probeUrl('/ok')(signal);
    expect(result).toEqual({ ok: true, ms: expect.any(Number) });
    expect(result.ms).toBeGreaterThan(0);
    await probeUrl('/500')(signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('is not ok on 500 or 404, naming the status', async () => {
    expect(await probeUrl('/500')(never())).toMatchObject({ ok: false, error: 'status 500' });
    expect(await probeUrl('/404')(never())).toMatchObject({ ok: false, error: 'status 404' });
  });

  it('judges the status by expectStatus', async () => {
    expect((await probeUrl('/500', { expectStatus: [500, 599] })(never())).ok).toBe(true);
    expect(await probeUrl('/ok', { expectStatus: [201, 299] })(never())).toMatchObject({
      ok: false,
      error: 'status 200',
    });
    expect((await probeUrl('/404', { expectStatus: [404, 404] })(never())).ok).toBe(true);
  });

  it('does not follow redirects: a 3xx is judged as it is', async () => {
    expect((await probeUrl('/redirect')(never())).ok).toBe(true);
    expect(await probeUrl('/redirect', { expectStatus: [200, 299] })(never())).toMatchObject({
      ok: false,
      error: 'status 302',
    });
  });

  it('looks for bodyContains in the first 5,120 bytes only', async () => {
    expect((await probeUrl('/ok', { bodyContains: 'good' })(never())).ok).toBe(true);
    expect(await probeUrl('/ok', { bodyContains: 'bad' })(never())).toMatchObject({
      ok: false,
      error: 'body mismatch',
    });
    expect((await probeUrl('/unicode', { bodyContains: 'grün ✓' })(never())).ok).toBe(true);
    expect((await probeUrl('/near-limit', { bodyContains: 'MARKER-END' })(never())).ok).toBe(true);
    expect((await probeUrl('/near-limit', { bodyContains: 'MARKER-END!' })(never())).ok).toBe(
      false,
    );
    expect(await probeUrl('/past-limit', { bodyContains: 'MARKER' })(never())).toMatchObject({
      ok: false,
      error: 'body mismatch',
    });
    expect((await probeUrl('/past-limit', { bodyContains: 'aaaa' })(never())).ok).toBe(true);
  });

  it('sends a GET with its own user agent', async () => {
    expect((await probeUrl('/echo', { bodyContains: 'ballast-health' })(never())).ok).toBe(true);
  });

  it('gives up with "timeout" when the signal aborts, and drops the connection', async () => {
    const before = { requests: server.requests, closed: server.closedRequests };
    // The signal aborts once the server has the request (a fixed 100 ms could pass before it
    // arrives on a loaded machine), at 100 ms on the probe's clock.
    let now = 5_000;
    const controller = new AbortController();
    const pending = httpProbe(
      { id: 'hang', url: server.url('/hang') },
      { clock: { now: () => now } },
    )(controller.signal);
    await waitFor(() => server.requests > before.requests);
    now += 100;
    controller.abort();
    expect(await pending).toEqual({ ok: false, ms: 100, error: 'timeout' });
    await waitFor(() => server.closedRequests > before.closed);
  });

  it('does not start when the signal has already aborted', async () => {
    const connections = server.connections;
    // Answered at once: before the event loop's next turn, when any I/O would first be seen
    // (rather than a wall-clock bound, which a loaded machine can miss).
    const answer = probeUrl('/ok')(AbortSignal.abort());
    const first = await Promise.race([
      answer,
      new Promise<'next turn'>((r) => setImmediate(() => r('next turn'))),
    ]);
    expect(first).toMatchObject({ ok: false, error: 'timeout' });
    expect(server.connections).toBe(connections);
  });

  it('says "refused" when nothing listens, and "dns" for a name that does not resolve', async () => {
    const port = await freePort();
    expect(await httpProbe({ id: 'r', url: `http://127.0.0.1:${port}/` })(never())).toMatchObject({
      ok: false,
      error: 'refused',
    });
    const dns = await httpProbe({ id: 'd', url: 'http://no-such-host.invalid/' })(
      timeoutSignal(2_000),
    );
    expect(dns.ok).toBe(false);
    expect(['dns', 'timeout']).toContain(dns.error);
  });

  it('measures with the given clock', async () => {
    let t = 1_000;
    const clock = { now: () => (t += 7) };
    expect(await httpProbe({ id: 'c', url: server.url('/ok') }, { clock })(never())).toEqual({
      ok: true,
      ms: 7,
    });
  });

  it('fails (without throwing) when given the agent of the other scheme', async () => {
    const agents = createProbeAgents();
    try {
      const result = await httpProbe(
        { id: 'x', url: server.url('/ok') },
        { agent: agents.https },
      )(never());
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/protocol/i);
    } finally {
      agents.https.destroy();
      agents.http.destroy();
    }
  });

  it('refuses to be made for a URL that is not http(s)', () => {
    let error: unknown;
    try {
      httpProbe({ id: 'x', url: 'ftp://example.com/' });
    } catch (e) {
      error = e;
    }
    expect(isBallastError(error) && error.code).toBe('InvalidParameterValue');
  });
});

describe('keep-alive agents', () => {
  let agents: ProbeAgents;
  let own: TestServer;
  beforeAll(async () => {
    own = await new TestServer(route).start();
  });
  afterAll(() => own.kill());
  afterEach(() => {
    agents.http.destroy();
    agents.https.destroy();
  });
  const probe = (path: string, extra: Record<string, unknown> = {}): Probe =>
    probeFor({ id: path, url: own.url(path), ...extra }, agents);

  it('reuse one connection for a healthy server', async () => {
    agents = createProbeAgents();
    const before = own.connections;
    const ok = probe('/ok', { bodyContains: 'good' });
    for (let i = 0; i < 5; i++) expect((await ok(never())).ok).toBe(true);
    expect(own.connections - before).toBe(1);
  });

  it('keep the connection after a complete failing answer (bad status, body mismatch); open a new one after a timeout or a cut-off body', async () => {
    agents = createProbeAgents();
    const before = own.connections;
    expect((await probe('/ok')(never())).ok).toBe(true);
    expect((await probe('/500')(never())).ok).toBe(false);
    expect((await probe('/ok')(never())).ok).toBe(true);
    expect((await probe('/ok', { bodyContains: 'nope' })(never())).ok).toBe(false);
    expect((await probe('/ok')(never())).ok).toBe(true);
    expect((await probe('/hang')(timeoutSignal(50))).error).toBe('timeout');
    expect((await probe('/ok')(never())).ok).toBe(true);
    expect((await probe('/past-limit')(never())).ok).toBe(true);
    expect((await probe('/ok')(never())).ok).toBe(true);
    // The first connection, then one after the timeout and one after the body cut off at the limit:
    // a 500 and a body mismatch were complete answers from a live server, so failing costs no
    // more connections than succeeding (constant work), and a dead server is still seen at once.
    expect(own.connections - before).toBe(3);
  });

  it('limit connections per host with maxSockets', async () => {
    agents = createProbeAgents({ maxSockets: 1 });
    const before = own.connections;
    const ok = probe('/ok');
    const results = await Promise.all([ok(never()), ok(never()), ok(never())]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(own.connections - before).toBe(1);
  });

  it('reject bad options', () => {
    agents = createProbeAgents();
    for (const bad of [{ maxSockets: 0 }, { maxSockets: 1.5 }, { freeSocketTimeoutMs: 0 }]) {
      expect(() => createProbeAgents(bad)).toThrow(/must be a positive integer/);
    }
  });
});

describe('a server that dies behind a pooled connection', () => {
  let agents: ProbeAgents;
  afterEach(() => {
    agents.http.destroy();
    agents.https.destroy();
  });

  it('is down on the very next probe, even when that probe reuses the dead connection', async () => {
    agents = createProbeAgents();
    const dying = await new TestServer(route).start();
    const probe = probeFor({ id: 'dying', url: dying.url('/ok') }, agents);
    expect((await probe(never())).ok).toBe(true);
    expect((await probe(never())).ok).toBe(true);
    expect(dying.connections).toBe(1);
    expect(Object.values(agents.http.freeSockets).flat()).toHaveLength(1);
    // Killed and probed in the same turn of the event loop: the pool has not yet seen the FIN,
    // so the probe goes out on the dead connection; that must count as a failure, not be retried.
    const killed = dying.kill();
    const next = await probe(never());
    expect(next).toMatchObject({ ok: false, error: 'reset' });
    await killed;
    expect(await probe(never())).toMatchObject({ ok: false, error: 'refused' });
    expect(dying.connections).toBe(1);
  });

  it('is down on the next probe once the pool has seen the connection close', async () => {
    agents = createProbeAgents();
    const dying = await new TestServer(route).start();
    const probe = probeFor({ id: 'dying', url: dying.url('/ok') }, agents);
    expect((await probe(never())).ok).toBe(true);
    await dying.kill();
    await waitFor(() => Object.values(agents.http.freeSockets).flat().length === 0);
    expect(await probe(never())).toMatchObject({ ok: false, error: 'refused' });
  });

  it('is down on the next probe after its process is SIGKILLed', async () => {
    agents = createProbeAgents();
    const script =
      "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      const probe = probeFor({ id: 'child', url: `http://127.0.0.1:${port}/` }, agents);
      expect((await probe(never())).ok).toBe(true);
      expect(Object.values(agents.http.freeSockets).flat()).toHaveLength(1);
      child.kill('SIGKILL');
      await exited;
      const next = await probe(never());
      expect(next.ok).toBe(false);
      expect(['reset', 'refused']).toContain(next.error);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is up again on the first probe after it comes back', async () => {
    agents = createProbeAgents();
    const flapping = await new TestServer(route).start();
    const port = flapping.port;
    const probe = probeFor({ id: 'flap', url: flapping.url('/ok') }, agents);
    expect((await probe(never())).ok).toBe(true);
    await flapping.kill();
    expect((await probe(never())).ok).toBe(false);
    await new Promise<void>((resolve) => flapping.server.listen(port, '127.0.0.1', resolve));
    try {
      expect((await probe(never())).ok).toBe(true);
    } finally {
      await flapping.kill();
    }
  });
});

describe('tcpProbe', () => {
  let tcp: TcpServer;
  let accepted = 0;
  beforeAll(async () => {
    tcp = createTcpServer((socket) => {
      accepted++;
      // The probe resets its connection; that is an error on this side, and expected.
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => tcp.close(() => resolve())));

  it('is ok when the connection opens', async () => {
    const { port } = tcp.address() as AddressInfo;
    const probe = tcpProbe({ id: 't', tcp: `127.0.0.1:${port}` });
    const results: ProbeResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await probe(never()));
    expect(results.every((r) => r.ok && r.error === undefined)).toBe(true);
    await waitFor(() => accepted >= 3);
  });

  it('says "refused" when nothing listens', async () => {
    const port = await freePort();
    expect(await tcpProbe({ id: 't', tcp: `127.0.0.1:${port}` })(never())).toMatchObject({
      ok: false,
      error: 'refused',
    });
  });

  it('gives up with "timeout" when the signal aborts first', async () => {
    const { port } = tcp.address() as AddressInfo;
    const controller = new AbortController();
    const pending = tcpProbe({ id: 't', tcp: `127.0.0.1:${port}` })(controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('refuses to be made for a malformed address', () => {
    expect(() => tcpProbe({ id: 't', tcp: 'localhost' })).toThrow(/host:port/);
  });
});

describe('functionProbe', () => {
  it('is ok when the function resolves true or nothing', async () => {
    expect(await functionProbe(async () => true)(never())).toMatchObject({ ok: true });
    expect(await functionProbe(async () => undefined)(never())).toMatchObject({ ok: true });
  });

  it('is not ok when it resolves false or throws, with the message', async () => {
    expect(await functionProbe(async () => false)(never())).toMatchObject({
      ok: false,
      error: 'returned false',
    });
    expect(
      await functionProbe(async () => Promise.reject(new Error('db down')))(never()),
    ).toMatchObject({ ok: false, error: 'db down' });
    const sync = (): Promise<boolean> => {
      throw new Error('thrown at once');
    };
    expect(await functionProbe(sync)(never())).toMatchObject({
      ok: false,
      error: 'thrown at once',
    });
    expect(await functionProbe(async () => Promise.reject('a string'))(never())).toMatchObject({
      ok: false,
      error: 'a string',
    });
  });

  it('passes the signal, and answers "timeout" when it aborts before the function settles', async () => {
    let seen: AbortSignal | undefined;
    const result = await functionProbe((signal) => {
      seen = signal;
      return new Promise(() => undefined);
    })(timeoutSignal(30));
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
    expect(seen?.aborted).toBe(true);
  });
});

describe('probeFor', () => {
  it('makes an HTTP probe for a url and a TCP probe for tcp', async () => {
    expect(
      (await probeFor({ id: 'h', url: server.url('/ok'), expectStatus: [200, 200] })(never())).ok,
    ).toBe(true);
    expect((await probeFor({ id: 'h', url: server.url('/500') })(never())).error).toBe(
      'status 500',
    );
    expect((await probeFor({ id: 't', tcp: `127.0.0.1:${server.port}` })(never())).ok).toBe(true);
  });
});
