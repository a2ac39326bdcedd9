/**
 * Operator routes (issue 12, item 6): with access keys or a metrics token set, `/metrics` needs a
 * SigV4 signature (any signing name) or the bearer token; `/healthz` stays open. The gate is a
 * plain Hono middleware, reusable for the console.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsGate } from '../../src/server/index.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from './helpers.js';
import { signForTest } from './sign.js';

const TOKEN = 'scrape-token-0123456789abcdef';

/** A SigV4-signed GET of `path` (what a SigV4-capable scraper sends). */
function signedGet(
  server: TestServer,
  path: string,
  opts: { service?: string; key?: typeof TEST_CREDENTIALS } = {},
): Promise<Response> {
  const url = `${server.url}${path}`;
  const headers = signForTest({
    url,
    method: 'GET',
    headers: { host: new URL(server.url).host },
    body: '',
    key: opts.key ?? TEST_CREDENTIALS,
    service: opts.service ?? 'monitoring',
  });
  return fetch(url, { headers });
}

describe('/metrics when access keys and a metrics token are set', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ credentials: [TEST_CREDENTIALS], metricsToken: TOKEN });
  });
  afterAll(() => t.close());

  it('answers 401 with WWW-Authenticate when the request has no credentials', async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ballast"');
    expect(await res.json()).toMatchObject({ code: 'MissingAuthenticationToken' });
  });

  it('answers 200 with the bearer token, 403 with another one', async () => {
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('ballast_http_requests_total');
    expect(
      (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status,
    ).toBe(403);
    expect(
      (await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer short' } })).status,
    ).toBe(403);
  });

  it('answers 200 to a SigV4 signature by a configured key (any signing name), 403 to a wrong secret or unknown key', async () => {
    expect((await signedGet(t, '/metrics')).status).toBe(200);
    expect((await signedGet(t, '/metrics', { service: 'sqs' })).status).toBe(200);
    const wrong = await signedGet(t, '/metrics', {
      key: { ...TEST_CREDENTIALS, secretAccessKey: 'nope' },
    });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'SignatureDoesNotMatch' });
    const unknown = await signedGet(t, '/metrics', {
      key: { accessKeyId: 'NOBODY', secretAccessKey: 'x' },
    });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ code: 'InvalidClientTokenId' });
  });

  it('keeps /healthz open', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('/metrics with keys only, or with nothing set', () => {
  it('with keys and no token: a signature opens it, a bearer token does not', async () => {
    const t = await startTestServer({ credentials: [TEST_CREDENTIALS] });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
      expect(
        (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(403);
      expect((await signedGet(t, '/metrics')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('with neither keys nor a token it stays open (the local default)', async () => {
    const t = await startTestServer();
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('refuses a weak metrics token at construction', async () => {
    await expect(startTestServer({ metricsToken: 'short' })).rejects.toMatchObject({
      code: 'InvalidParameterValue',
    });
  });
});

describe('opsGate is a reusable Hono middleware', () => {
  it('guards any route it is mounted on (e.g. a future /console)', async () => {
    const app = new Hono();
    app.use(
      '/console/*',
      opsGate({ credentials: [], token: TOKEN, maxClockSkewSeconds: 900, now: () => Date.now() }),
    );
    app.get('/console/queues', (c) => c.text('queues'));
    app.get('/open', (c) => c.text('open'));
    expect((await app.request('/console/queues')).status).toBe(401);
    expect(
      (await app.request('/console/queues', { headers: { authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(200);
    expect((await app.request('/open')).status).toBe(200);
  });
});
