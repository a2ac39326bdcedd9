import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast, waitFor } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP endpoint: records every request and answers with the next scripted status (200 when none is left). */
let server: Server;
let base: string;
const seen: Seen[] = [];
let script: number[] = [];
let tokensIssued = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/oauth/token')) {
        tokensIssued++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `tok-${tokensIssued}`, expires_in: 3600 }));
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(script.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('API destination (HTTP) targets', () => {
  let b: Ballast;
  let clock: FakeClock;
  beforeEach(async () => {
    seen.length = 0;
    script = [];
    clock = new FakeClock();
    b = await openTestBallast({ clock, bus: { background: false, worker: { random: () => 1 } } });
  });
  afterEach(() => b.close());

  async function target(
    auth: Parameters<Ballast['bus']['connections']['create']>[1],
    extra: Record<string, unknown> = {},
    rate?: number,
  ) {
    const { connectionArn } = await b.bus.connections.create('conn', auth);
    await b.bus.apiDestinations.create('hook', {
      connectionArn,
      invocationEndpoint: `${base}/orders/*/events`,
      httpMethod: 'POST',
      ...(rate !== undefined ? { invocationRateLimitPerSecond: rate } : {}),
    });
    await b.bus.putRule('r', { eventPattern: { source: ['shop'] } });
    const r = await b.bus.putTargets('r', [
      { id: 'http', arn: b.bus.apiDestinations.arn('hook'), ...extra },
    ]);
    expect(r.failedEntries).toEqual([]);
  }
  const put = (n: number) =>
    b.bus.putEvents([{ source: 'shop', detailType: 'T', detail: JSON.stringify({ n }) }]);

  it('POSTs the shaped input with the API key, path, query and header parameters', async () => {
    await target(
      {
        authorizationType: 'API_KEY',
        authParameters: {
          apiKeyAuthParameters: { apiKeyName: 'x-api-key', apiKeyValue: 'secret' },
          invocationHttpParameters: { headerParameters: [{ key: 'x-from', value: 'conn' }] },
        },
      },
      {
        inputPath: '$.detail',
        httpParameters: {
          pathParameterValues: ['o 1'],
          queryStringParameters: { v: '2' },
          headerParameters: { 'x-tenant': 't1' },
        },
      },
    );
    await put(7);
    await b.bus.dispatchOnce();
    expect(await b.bus.deliverOnce()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/orders/o%201/events?v=2',
      body: '{"n":7}',
    });
    expect(seen[0]!.headers).toMatchObject({
      'x-api-key': 'secret',
      'x-from': 'conn',
      'x-tenant': 't1',
      'content-type': 'application/json; charset=utf-8',
    });
    // Describe never shows a secret.
    expect(JSON.stringify(await b.bus.connections.describe('conn'))).not.toContain('secret');
  });

  it('retries 429 and 5xx; a 4xx goes straight to the dead-letter queue', async () => {
    await b.queues.create('dlq');
    await target(
      {
        authorizationType: 'BASIC',
        authParameters: { basicAuthParameters: { username: 'u', password: 'p' } },
      },
      { deadLetterConfig: { arn: b.queues.arn('dlq') } },
    );
    script = [503, 429, 200];
    await put(1);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    clock.advance(1000);
    await b.bus.deliverOnce();
    clock.advance(2000);
    await b.bus.deliverOnce();
    expect(seen.map((s) => s.headers.authorization)).toEqual(
      Array(3).fill(`Basic ${Buffer.from('u:p').toString('base64')}`),
    );
    expect(seen).toHaveLength(3);
    script = [400];
    await put(2);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    const [dead] = await (await b.queues.get('dlq')).receive({ maxMessages: 10 });
    expect(dead?.messageAttributes.ERROR_CODE?.stringValue).toBe('HTTP_400');
    expect(dead?.messageAttributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
  });

  it('OAuth client credentials: fetches a token once and sends it as a bearer token', async () => {
    await target({
      authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      authParameters: {
        oAuthParameters: {
          authorizationEndpoint: `${base}/oauth/token`,
          httpMethod: 'POST',
          clientParameters: { clientID: 'id', clientSecret: 'shh' },
        },
      },
    });
    await put(1);
    await put(2);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
    expect(tokensIssued).toBe(1);
  });

  it("keeps to the destination's invocation rate", async () => {
    await target(
      {
        authorizationType: 'API_KEY',
        authParameters: { apiKeyAuthParameters: { apiKeyName: 'k', apiKeyValue: 'v' } },
      },
      {},
      1,
    );
    await put(1);
    await put(2);
    await b.bus.dispatchOnce();
    const delivering = b.bus.deliverOnce();
    await waitFor(() => seen.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(1); // the second waits for the next second's token
    clock.advance(1000);
    expect(await delivering).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it('updates a connection: same-type secrets merge, a new type needs its parameters, and the next call uses them', async () => {
    const secretHeader = { key: 'x-sig', value: 'hush', isValueSecret: true };
    await target({
      authorizationType: 'API_KEY',
      authParameters: {
        apiKeyAuthParameters: { apiKeyName: 'x-api-key', apiKeyValue: 'old' },
        invocationHttpParameters: { headerParameters: [secretHeader] },
      },
    });
    const before = await b.bus.connections.describe('conn');
    clock.advance(1000);
    const updated = await b.bus.connections.update('conn', {
      description: 'rotated',
      authParameters: { apiKeyAuthParameters: { apiKeyValue: 'new' } },
    });
    expect(updated).toMatchObject({
      connectionArn: b.bus.connections.arn('conn'),
      connectionState: 'AUTHORIZED',
      creationTime: before.creationTime,
    });
    expect(updated.lastModifiedTime).toBeGreaterThan(before.lastModifiedTime);
    const described = await b.bus.connections.describe('conn');
    expect(described).toMatchObject({
      description: 'rotated',
      authParameters: {
        apiKeyAuthParameters: { apiKeyName: 'x-api-key' },
        invocationHttpParameters: { headerParameters: [{ key: 'x-sig', isValueSecret: true }] },
      },
    });
    expect(JSON.stringify(described)).not.toMatch(/hush|new|old/);
    await put(1);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    expect(seen[0]!.headers).toMatchObject({ 'x-api-key': 'new', 'x-sig': 'hush' });

    // Another type's secrets are never carried over; the invocation parameters are.
    expect(
      await codeOf(
        b.bus.connections.update('conn', {
          authorizationType: 'BASIC',
          authParameters: { basicAuthParameters: { username: 'u' } },
        }),
      ),
    ).toBe('ValidationException');
    await b.bus.connections.update('conn', {
      authorizationType: 'BASIC',
      authParameters: { basicAuthParameters: { username: 'u', password: 'p' } },
    });
    expect((await b.bus.connections.describe('conn')).authParameters).toEqual({
      basicAuthParameters: { username: 'u' },
      invocationHttpParameters: { headerParameters: [{ key: 'x-sig', isValueSecret: true }] },
    });
    expect(await codeOf(b.bus.connections.update('nope', { description: 'x' }))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('updates API destinations (members not given are kept) and lists them by connection, page by page', async () => {
    const auth = {
      authorizationType: 'BASIC' as const,
      authParameters: { basicAuthParameters: { username: 'u', password: 'p' } },
    };
    const a = (await b.bus.connections.create('a', auth)).connectionArn;
    const z = (await b.bus.connections.create('z', auth)).connectionArn;
    for (const [name, conn] of [
      ['d1', a],
      ['d2', z],
      ['d3', a],
      ['d4', z],
      ['d5', a],
    ] as const) {
      await b.bus.apiDestinations.create(name, {
        connectionArn: conn,
        invocationEndpoint: 'https://example.com/x',
        httpMethod: 'POST',
      });
    }
    const first = await b.bus.apiDestinations.list({ connectionArn: a, limit: 2 });
    expect(first.apiDestinations.map((d) => [d.name, d.connectionArn])).toEqual([
      ['d1', a],
      ['d3', a],
    ]);
    const rest = await b.bus.apiDestinations.list({
      connectionArn: a,
      limit: 2,
      nextToken: first.nextToken!,
    });
    expect(rest).toEqual({
      apiDestinations: [expect.objectContaining({ name: 'd5', apiDestinationState: 'ACTIVE' })],
    });

    clock.advance(1000);
    const updated = await b.bus.apiDestinations.update('d1', {
      connectionArn: z,
      invocationRateLimitPerSecond: 5,
      description: 'slow',
    });
    expect(updated.lastModifiedTime).toBeGreaterThan(updated.creationTime);
    expect(await b.bus.apiDestinations.describe('d1')).toMatchObject({
      connectionName: 'z',
      connectionArn: z,
      invocationRateLimitPerSecond: 5,
      description: 'slow',
      invocationEndpoint: 'https://example.com/x',
      httpMethod: 'POST',
    });
    expect(
      await codeOf(b.bus.apiDestinations.update('d1', { invocationRateLimitPerSecond: 0 })),
    ).toBe('ValidationException');
    expect(
      await codeOf(
        b.bus.apiDestinations.update('d1', { connectionArn: b.bus.connections.arn('gone') }),
      ),
    ).toBe('ResourceNotFoundException');
    expect(await codeOf(b.bus.apiDestinations.update('nope', { httpMethod: 'PUT' }))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('refuses invocation parameters that cannot be sent', async () => {
    const withHeaders = (headerParameters: { key: string; value: string }[]) =>
      b.bus.connections.create('h', {
        authorizationType: 'BASIC',
        authParameters: {
          basicAuthParameters: { username: 'u', password: 'p' },
          invocationHttpParameters: { headerParameters },
        },
      });
    expect(await codeOf(withHeaders([{ key: 'bad name', value: 'v' }]))).toBe(
      'ValidationException',
    );
    expect(await codeOf(withHeaders([{ key: 'x-ok', value: 'line\nbreak' }]))).toBe(
      'ValidationException',
    );
    expect(
      await codeOf(
        withHeaders(Array.from({ length: 101 }, (_, i) => ({ key: `x-${i}`, value: 'v' }))),
      ),
    ).toBe('ValidationException');
    expect(
      await codeOf(
        b.bus.connections.create('k', {
          authorizationType: 'API_KEY',
          authParameters: { apiKeyAuthParameters: { apiKeyName: 'x:y', apiKeyValue: 'v' } },
        }),
      ),
    ).toBe('ValidationException');
    expect(await codeOf(withHeaders([{ key: 'x-ok', value: 'v' }]))).toBe('resolved');
  });

  it('validates connections and destinations', async () => {
    expect(
      await codeOf(
        b.bus.connections.create('c', { authorizationType: 'API_KEY', authParameters: {} }),
      ),
    ).toBe('ValidationException');
    const { connectionArn } = await b.bus.connections.create('c', {
      authorizationType: 'BASIC',
      authParameters: { basicAuthParameters: { username: 'u', password: 'p' } },
    });
    expect(
      await codeOf(
        b.bus.apiDestinations.create('d', {
          connectionArn,
          invocationEndpoint: 'http://example.com/x',
          httpMethod: 'POST',
        }),
      ),
    ).toBe('ValidationException');
    expect(
      await codeOf(
        b.bus.apiDestinations.create('d', {
          connectionArn: 'arn:nope',
          invocationEndpoint: 'https://example.com',
          httpMethod: 'POST',
        }),
      ),
    ).toBe('ResourceNotFoundException');
    expect(
      await codeOf(
        b.bus.apiDestinations.create('d', {
          connectionArn,
          invocationEndpoint: 'https://example.com',
          httpMethod: 'POST',
          invocationRateLimitPerSecond: 301,
        }),
      ),
    ).toBe('ValidationException');
    await b.bus.apiDestinations.create('d', {
      connectionArn,
      invocationEndpoint: 'https://example.com',
      httpMethod: 'POST',
    });
    expect(await codeOf(b.bus.connections.delete('c'))).toBe('ValidationException');
    expect((await b.bus.apiDestinations.list()).apiDestinations.map((d) => d.name)).toEqual(['d']);
    await b.bus.apiDestinations.delete('d');
    await b.bus.connections.delete('c');
    expect((await b.bus.connections.list()).connections).toEqual([]);
  });
});
