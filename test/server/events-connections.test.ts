import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  type CreateConnectionRequest,
  DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ballast.js';
import { rejection, startTestServer, TEST_CREDENTIALS, type TestServer } from './helpers.js';

/** Connections and API destinations over the EventBridge wire protocol, with the real SDK and a real HTTP endpoint. */

let t: TestServer;
let eb: EventBridgeClient;
/** A local endpoint: records every call; `/oauth/token` hands out tokens. */
let endpoint: Server;
let base: string;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
  [];

beforeAll(async () => {
  t = await startTestServer();
  eb = new EventBridgeClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  endpoint = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/oauth/token') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'tok', expires_in: 3600 }));
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});
afterAll(async () => {
  eb.destroy();
  await t.close();
  await new Promise<void>((r) => endpoint.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
});

const arnOf = (kind: string, name: string): string =>
  `arn:aws:events:us-east-1:000000000000:${kind}/${name}`;

/** The SDK error's name and HTTP status. */
async function sdkError(
  p: Promise<unknown>,
): Promise<{ name: string; status: number | undefined }> {
  const e = await rejection(p);
  return {
    name: e.name,
    status: (e.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode,
  };
}

/** The raw wire answer of an operation (to see epoch seconds and exactly which members are sent). */
async function wire(op: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${op}` },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

const API_KEY: Omit<CreateConnectionRequest, 'Name'> = {
  AuthorizationType: 'API_KEY',
  AuthParameters: {
    ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'key-secret' },
    InvocationHttpParameters: {
      HeaderParameters: [
        { Key: 'x-sig', Value: 'header-secret', IsValueSecret: true },
        { Key: 'x-from', Value: 'ballast', IsValueSecret: false },
      ],
      QueryStringParameters: [{ Key: 'token', Value: 'query-secret', IsValueSecret: true }],
    },
  },
};
const BASIC: Omit<CreateConnectionRequest, 'Name'> = {
  AuthorizationType: 'BASIC',
  AuthParameters: { BasicAuthParameters: { Username: 'user', Password: 'basic-secret' } },
};
const oauth = (): Omit<CreateConnectionRequest, 'Name'> => ({
  AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
  AuthParameters: {
    OAuthParameters: {
      AuthorizationEndpoint: `${base}/oauth/token`,
      HttpMethod: 'POST',
      ClientParameters: { ClientID: 'client', ClientSecret: 'client-secret' },
    },
  },
});

describe('connections', () => {
  it('CreateConnection of each auth type; DescribeConnection shows names and endpoints but never a secret', async () => {
    const created = await eb.send(
      new CreateConnectionCommand({ Name: 'c-key', Description: 'crm', ...API_KEY }),
    );
    expect(created).toMatchObject({
      ConnectionArn: arnOf('connection', 'c-key'),
      ConnectionState: 'AUTHORIZED',
    });
    expect(Math.abs(created.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(created.LastModifiedTime).toEqual(created.CreationTime);
    await eb.send(new CreateConnectionCommand({ Name: 'c-basic', ...BASIC }));
    await eb.send(new CreateConnectionCommand({ Name: 'c-oauth', ...oauth() }));

    const key = await eb.send(new DescribeConnectionCommand({ Name: 'c-key' }));
    expect(key).toMatchObject({
      Name: 'c-key',
      ConnectionArn: created.ConnectionArn,
      Description: 'crm',
      AuthorizationType: 'API_KEY',
      ConnectionState: 'AUTHORIZED',
      CreationTime: created.CreationTime,
    });
    expect(key.AuthParameters).toEqual({
      ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' },
      InvocationHttpParameters: {
        HeaderParameters: [
          { Key: 'x-sig', IsValueSecret: true },
          { Key: 'x-from', Value: 'ballast', IsValueSecret: false },
        ],
        QueryStringParameters: [{ Key: 'token', IsValueSecret: true }],
      },
    });
    expect(
      (await eb.send(new DescribeConnectionCommand({ Name: 'c-basic' }))).AuthParameters,
    ).toEqual({ BasicAuthParameters: { Username: 'user' } });
    expect(
      (await eb.send(new DescribeConnectionCommand({ Name: 'c-oauth' }))).AuthParameters,
    ).toEqual({
      OAuthParameters: {
        AuthorizationEndpoint: `${base}/oauth/token`,
        HttpMethod: 'POST',
        ClientParameters: { ClientID: 'client' },
      },
    });
    for (const name of ['c-key', 'c-basic', 'c-oauth']) {
      const raw = await wire('DescribeConnection', { Name: name });
      expect(JSON.stringify(raw)).not.toMatch(/secret/);
      expect(raw.CreationTime).toBeLessThan(1e11);
    }
  });

  it('ListConnections pages with Limit and NextToken and filters by state; UpdateConnection keeps unsent secrets', async () => {
    for (const n of ['a', 'b', 'c'])
      await eb.send(new CreateConnectionCommand({ Name: `list-${n}`, ...BASIC }));
    const first = await eb.send(new ListConnectionsCommand({ NamePrefix: 'list-', Limit: 2 }));
    expect(first.Connections!.map((c) => c.Name)).toEqual(['list-a', 'list-b']);
    expect(first.Connections![0]).toEqual({
      Name: 'list-a',
      ConnectionArn: arnOf('connection', 'list-a'),
      ConnectionState: 'AUTHORIZED',
      AuthorizationType: 'BASIC',
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });
    const second = await eb.send(
      new ListConnectionsCommand({ NamePrefix: 'list-', Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.Connections!.map((c) => c.Name)).toEqual(['list-c']);
    expect(second.NextToken).toBeUndefined();
    expect(
      (
        await eb.send(
          new ListConnectionsCommand({ NamePrefix: 'list-', ConnectionState: 'AUTHORIZED' }),
        )
      ).Connections,
    ).toHaveLength(3);
    expect(
      (
        await eb.send(
          new ListConnectionsCommand({ NamePrefix: 'list-', ConnectionState: 'DEAUTHORIZED' }),
        )
      ).Connections,
    ).toEqual([]);
    expect(
      await sdkError(eb.send(new ListConnectionsCommand({ ConnectionState: 'NOPE' as 'ACTIVE' }))),
    ).toEqual({ name: 'ValidationException', status: 400 });

    const updated = await eb.send(
      new UpdateConnectionCommand({
        Name: 'list-a',
        Description: 'renamed user',
        AuthParameters: { BasicAuthParameters: { Username: 'other' } },
      }),
    );
    expect(updated).toMatchObject({
      ConnectionArn: arnOf('connection', 'list-a'),
      ConnectionState: 'AUTHORIZED',
      CreationTime: first.Connections![0]!.CreationTime,
    });
    expect(await eb.send(new DescribeConnectionCommand({ Name: 'list-a' }))).toMatchObject({
      Description: 'renamed user',
      AuthParameters: { BasicAuthParameters: { Username: 'other' } },
    });
    // A new type needs all of its parameters.
    expect(
      await sdkError(
        eb.send(
          new UpdateConnectionCommand({
            Name: 'list-a',
            AuthorizationType: 'API_KEY',
            AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k' } },
          }),
        ),
      ),
    ).toEqual({
      name: 'ValidationException',
      status: 400,
    });
    await eb.send(
      new UpdateConnectionCommand({
        Name: 'list-a',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } },
      }),
    );
    expect(
      (await eb.send(new DescribeConnectionCommand({ Name: 'list-a' }))).AuthParameters,
    ).toEqual({ ApiKeyAuthParameters: { ApiKeyName: 'k' } });
    const deleted = await eb.send(new DeleteConnectionCommand({ Name: 'list-c' }));
    expect(deleted).toMatchObject({
      ConnectionArn: arnOf('connection', 'list-c'),
      ConnectionState: 'DELETING',
    });
    expect(await sdkError(eb.send(new DescribeConnectionCommand({ Name: 'list-c' })))).toEqual({
      name: 'ResourceNotFoundException',
      status: 400,
    });
  });
});

describe('API destinations as rule targets', () => {
  it("PutEvents → rule → API destinations: the local endpoint gets the POST with the connection's auth and the target's parameters", async () => {
    const { ConnectionArn: keyArn } = await eb.send(
      new CreateConnectionCommand({ Name: 'hook-key', ...API_KEY }),
    );
    const { ConnectionArn: oauthArn } = await eb.send(
      new CreateConnectionCommand({ Name: 'hook-oauth', ...oauth() }),
    );
    const created = await eb.send(
      new CreateApiDestinationCommand({
        Name: 'orders',
        Description: 'order hook',
        ConnectionArn: keyArn,
        InvocationEndpoint: `${base}/orders/*`,
        HttpMethod: 'POST',
        InvocationRateLimitPerSecond: 20,
      }),
    );
    expect(created).toMatchObject({
      ApiDestinationArn: arnOf('api-destination', 'orders'),
      ApiDestinationState: 'ACTIVE',
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });
    await eb.send(
      new CreateApiDestinationCommand({
        Name: 'audit',
        ConnectionArn: oauthArn,
        InvocationEndpoint: `${base}/audit`,
        HttpMethod: 'PUT',
      }),
    );
    expect(await eb.send(new DescribeApiDestinationCommand({ Name: 'orders' }))).toMatchObject({
      Name: 'orders',
      ApiDestinationArn: created.ApiDestinationArn,
      Description: 'order hook',
      ApiDestinationState: 'ACTIVE',
      ConnectionArn: keyArn,
      InvocationEndpoint: `${base}/orders/*`,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 20,
      CreationTime: created.CreationTime,
    });

    await eb.send(
      new PutRuleCommand({ Name: 'to-http', EventPattern: '{"source":["http-shop"]}' }),
    );
    const targets = [
      {
        Id: 'orders',
        Arn: created.ApiDestinationArn,
        InputPath: '$.detail',
        HttpParameters: {
          PathParameterValues: ['eu 1'],
          HeaderParameters: { 'x-tenant': 'acme' },
          QueryStringParameters: { v: '2' },
        },
      },
      { Id: 'audit', Arn: arnOf('api-destination', 'audit') },
    ];
    expect(
      await eb.send(new PutTargetsCommand({ Rule: 'to-http', Targets: targets })),
    ).toMatchObject({ FailedEntryCount: 0 });
    expect(
      (
        await eb.send(
          new PutEventsCommand({
            Entries: [{ Source: 'http-shop', DetailType: 'OrderPlaced', Detail: '{"id":"o-1"}' }],
          }),
        )
      ).FailedEntryCount,
    ).toBe(0);

    // The server's background worker delivers.
    await waitFor(() => seen.length === 2, 10_000);
    const orders = seen.find((s) => s.url.startsWith('/orders'))!;
    expect(orders).toMatchObject({
      method: 'POST',
      url: '/orders/eu%201?token=query-secret&v=2',
      body: '{"id":"o-1"}',
    });
    expect(orders.headers).toMatchObject({
      'x-api-key': 'key-secret',
      'x-sig': 'header-secret',
      'x-from': 'ballast',
      'x-tenant': 'acme',
    });
    const audit = seen.find((s) => s.url === '/audit')!;
    expect(audit.method).toBe('PUT');
    expect(audit.headers.authorization).toBe('Bearer tok');
    expect(JSON.parse(audit.body)).toMatchObject({
      source: 'http-shop',
      'detail-type': 'OrderPlaced',
      detail: { id: 'o-1' },
    });

    // A connection in use cannot go; its destination can, and then the connection too.
    expect(await sdkError(eb.send(new DeleteConnectionCommand({ Name: 'hook-key' })))).toEqual({
      name: 'ValidationException',
      status: 400,
    });
    await eb.send(new RemoveTargetsCommand({ Rule: 'to-http', Ids: ['orders', 'audit'] }));
    await eb.send(new DeleteApiDestinationCommand({ Name: 'orders' }));
    await eb.send(new DeleteConnectionCommand({ Name: 'hook-key' }));
    expect(await sdkError(eb.send(new DescribeApiDestinationCommand({ Name: 'orders' })))).toEqual({
      name: 'ResourceNotFoundException',
      status: 400,
    });
  });

  it('ListApiDestinations pages and filters by connection; UpdateApiDestination keeps what is not sent', async () => {
    const { ConnectionArn: one } = await eb.send(
      new CreateConnectionCommand({ Name: 'dest-one', ...BASIC }),
    );
    const { ConnectionArn: two } = await eb.send(
      new CreateConnectionCommand({ Name: 'dest-two', ...BASIC }),
    );
    for (const [name, arn] of [
      ['ld-1', one],
      ['ld-2', two],
      ['ld-3', one],
      ['ld-4', one],
    ] as const) {
      await eb.send(
        new CreateApiDestinationCommand({
          Name: name,
          ConnectionArn: arn,
          InvocationEndpoint: `${base}/${name}`,
          HttpMethod: 'POST',
        }),
      );
    }
    const first = await eb.send(
      new ListApiDestinationsCommand({ NamePrefix: 'ld-', ConnectionArn: one, Limit: 2 }),
    );
    expect(first.ApiDestinations!.map((d) => d.Name)).toEqual(['ld-1', 'ld-3']);
    expect(first.ApiDestinations![0]).toEqual({
      Name: 'ld-1',
      ApiDestinationArn: arnOf('api-destination', 'ld-1'),
      ApiDestinationState: 'ACTIVE',
      ConnectionArn: one,
      InvocationEndpoint: `${base}/ld-1`,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });
    const rest = await eb.send(
      new ListApiDestinationsCommand({
        NamePrefix: 'ld-',
        ConnectionArn: one,
        Limit: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(rest.ApiDestinations!.map((d) => d.Name)).toEqual(['ld-4']);
    expect(rest.NextToken).toBeUndefined();

    const updated = await eb.send(
      new UpdateApiDestinationCommand({
        Name: 'ld-2',
        ConnectionArn: one,
        InvocationRateLimitPerSecond: 7,
      }),
    );
    expect(updated).toMatchObject({
      ApiDestinationArn: arnOf('api-destination', 'ld-2'),
      ApiDestinationState: 'ACTIVE',
    });
    expect(await eb.send(new DescribeApiDestinationCommand({ Name: 'ld-2' }))).toMatchObject({
      ConnectionArn: one,
      InvocationRateLimitPerSecond: 7,
      InvocationEndpoint: `${base}/ld-2`,
      HttpMethod: 'POST',
    });
    expect(
      (await eb.send(new ListApiDestinationsCommand({ NamePrefix: 'ld-', ConnectionArn: two })))
        .ApiDestinations,
    ).toEqual([]);
    const raw = await wire('DescribeApiDestination', { Name: 'ld-2' });
    expect(raw.LastModifiedTime).toBeGreaterThanOrEqual(raw.CreationTime as number);
    expect(raw.CreationTime).toBeLessThan(1e11);
  });
});

describe('connection and API destination errors', () => {
  it('missing resources → ResourceNotFoundException; taken names → ResourceAlreadyExistsException', async () => {
    const missing = [
      () => eb.send(new DescribeConnectionCommand({ Name: 'never' })),
      () => eb.send(new DeleteConnectionCommand({ Name: 'never' })),
      () => eb.send(new UpdateConnectionCommand({ Name: 'never', Description: 'x' })),
      () => eb.send(new DescribeApiDestinationCommand({ Name: 'never' })),
      () => eb.send(new DeleteApiDestinationCommand({ Name: 'never' })),
      () => eb.send(new UpdateApiDestinationCommand({ Name: 'never', HttpMethod: 'GET' })),
      () =>
        eb.send(
          new CreateApiDestinationCommand({
            Name: 'orphan',
            ConnectionArn: arnOf('connection', 'never'),
            InvocationEndpoint: `${base}/x`,
            HttpMethod: 'POST',
          }),
        ),
    ];
    for (const send of missing)
      expect(await sdkError(send())).toEqual({ name: 'ResourceNotFoundException', status: 400 });
    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({ Name: 'taken', ...BASIC }),
    );
    expect(
      await sdkError(eb.send(new CreateConnectionCommand({ Name: 'taken', ...BASIC }))),
    ).toEqual({ name: 'ResourceAlreadyExistsException', status: 400 });
    await eb.send(
      new CreateApiDestinationCommand({
        Name: 'taken',
        ConnectionArn,
        InvocationEndpoint: `${base}/x`,
        HttpMethod: 'POST',
      }),
    );
    expect(
      await sdkError(
        eb.send(
          new CreateApiDestinationCommand({
            Name: 'taken',
            ConnectionArn,
            InvocationEndpoint: `${base}/x`,
            HttpMethod: 'POST',
          }),
        ),
      ),
    ).toEqual({
      name: 'ResourceAlreadyExistsException',
      status: 400,
    });
  });

  it('invalid values and members Ballast cannot honour → ValidationException; DeauthorizeConnection → OperationDisabledException', async () => {
    const invalid: Omit<CreateConnectionRequest, 'Name'>[] = [
      { AuthorizationType: 'API_KEY', AuthParameters: {} },
      {
        AuthorizationType: 'BASIC' as const,
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } },
      },
      { AuthorizationType: 'NOPE' as 'BASIC', AuthParameters: BASIC.AuthParameters },
      { ...BASIC, KmsKeyIdentifier: 'key' },
      {
        ...BASIC,
        AuthParameters: {
          ...BASIC.AuthParameters,
          InvocationHttpParameters: { BodyParameters: [{ Key: 'k', Value: 'v' }] },
        },
      },
      {
        ...BASIC,
        AuthParameters: {
          ...BASIC.AuthParameters,
          InvocationHttpParameters: { HeaderParameters: [{ Key: 'bad header', Value: 'v' }] },
        },
      },
      {
        ...oauth(),
        AuthParameters: {
          OAuthParameters: {
            ...oauth().AuthParameters!.OAuthParameters!,
            OAuthHttpParameters: { HeaderParameters: [{ Key: 'k', Value: 'v' }] },
          },
        },
      },
    ];
    for (const request of invalid)
      expect(
        await sdkError(eb.send(new CreateConnectionCommand({ Name: 'invalid', ...request }))),
      ).toEqual({ name: 'ValidationException', status: 400 });
    expect(
      await sdkError(eb.send(new DescribeConnectionCommand({ Name: 'invalid' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException' });

    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({ Name: 'valid', ...BASIC }),
    );
    const destination = {
      Name: 'bad-dest',
      ConnectionArn,
      InvocationEndpoint: `${base}/x`,
      HttpMethod: 'POST' as const,
    };
    for (const bad of [
      { InvocationEndpoint: 'http://example.com/x' },
      { InvocationEndpoint: 'not a url' },
      { HttpMethod: 'TRACE' as 'GET' },
      { InvocationRateLimitPerSecond: 0 },
    ]) {
      expect(
        await sdkError(eb.send(new CreateApiDestinationCommand({ ...destination, ...bad }))),
      ).toEqual({ name: 'ValidationException', status: 400 });
    }
    expect(await sdkError(eb.send(new DeauthorizeConnectionCommand({ Name: 'valid' })))).toEqual({
      name: 'OperationDisabledException',
      status: 400,
    });
  });
});
