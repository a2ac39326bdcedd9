import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import { BallastError } from '../../src/core/errors.js';
import { createApp } from '../../src/server/app.js';
import type { ServerEnv } from '../../src/server/env.js';
import { resolveAppOptions } from '../../src/server/options.js';
import type { AwsOperation } from '../../src/server/protocols/aws/context.js';
import { toWireError } from '../../src/server/protocols/aws/errors.js';
import { awsJsonHandler } from '../../src/server/protocols/aws/handler.js';
import { AMZ_JSON_1_0, AMZ_JSON_1_1 } from '../../src/server/protocols/aws/media-types.js';
import type { AwsProtocol } from '../../src/server/protocols/aws/protocol.js';
import {
  PROTOCOLS,
  protocolFor,
  protocolForGet,
  routeProtocols,
} from '../../src/server/protocols/index.js';
import { openTestBallast } from '../helpers/ballast.js';

let ballast: Ballast | undefined;
afterEach(async () => {
  await ballast?.close();
  ballast = undefined;
});

const routed = (headers: Record<string, string>): string => protocolFor(new Headers(headers)).name;

describe('the protocol table routes each POST to one protocol', () => {
  it('a target goes to the row whose prefix starts it', () => {
    expect(routed({ 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': AMZ_JSON_1_0 })).toBe(
      'sqs',
    );
    expect(routed({ 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': AMZ_JSON_1_1 })).toBe(
      'events',
    );
    // The target decides, not the content type: the handler then refuses the wrong one (415).
    expect(routed({ 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': AMZ_JSON_1_0 })).toBe(
      'events',
    );
  });

  it('an unknown target goes to the first row (SQS answers InvalidAction)', () => {
    expect(
      routed({ 'x-amz-target': 'Kinesis_20131202.PutRecord', 'content-type': AMZ_JSON_1_1 }),
    ).toBe('sqs');
    expect(PROTOCOLS[0]!.name).toBe('sqs');
  });

  it('a request without a target goes to the row whose content type it carries, else to the first', () => {
    expect(routed({ 'content-type': `${AMZ_JSON_1_1}; charset=utf-8` })).toBe('events');
    expect(routed({ 'x-amz-target': '', 'content-type': AMZ_JSON_1_1 })).toBe('events');
    expect(routed({ 'content-type': AMZ_JSON_1_0 })).toBe('sqs');
    expect(routed({})).toBe('sqs');
    expect(routed({ 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })).toBe(
      'sqs-query',
    );
  });

  it('a GET goes to the query protocol only when its query string names an Action', () => {
    expect(protocolForGet(new URL('http://h/?Action=ListQueues'))?.name).toBe('sqs-query');
    expect(protocolForGet(new URL('http://h/000000000000/q?Action=ReceiveMessage'))?.name).toBe(
      'sqs-query',
    );
    expect(protocolForGet(new URL('http://h/?action=ListQueues'))).toBeUndefined();
    expect(protocolForGet(new URL('http://h/healthz'))).toBeUndefined();
  });

  it('every row names its signing name, target prefix and content type, and has its own error map', () => {
    // SQS's two wire forms share the signing name `sqs`: AWS scopes both to the one service.
    expect(PROTOCOLS.map((p) => [p.name, p.signingName, p.targetPrefix, p.contentType])).toEqual([
      ['sqs', 'sqs', 'AmazonSQS.', AMZ_JSON_1_0],
      ['events', 'events', 'AWSEvents.', AMZ_JSON_1_1],
      ['sqs-query', 'sqs', null, 'application/x-www-form-urlencoded'],
    ]);
    expect(new Set(PROTOCOLS.map((p) => p.errors)).size).toBe(PROTOCOLS.length);
  });
});

describe('a new protocol is one more row', () => {
  /** A made-up JSON 1.1 protocol with one operation that echoes what its context says. */
  const echo: AwsProtocol = {
    name: 'echo',
    signingName: 'echo',
    targetPrefix: 'Echo_20240101.',
    contentType: AMZ_JSON_1_1,
    errors: {
      toWire: toWireError,
      response: (wire, requestId) =>
        Response.json({ code: wire.code, requestId }, { status: wire.shape.status }),
    },
    handler: (deps, protocol) =>
      awsJsonHandler(deps, protocol, {
        operations: new Map<string, AwsOperation>([
          [
            'Echo',
            async (input, ctx) => ({
              input,
              region: ctx.region,
              accountId: ctx.accountId,
              requestId: ctx.requestId,
            }),
          ],
        ]),
        unknownOperation: (target) =>
          new BallastError('InvalidAction', `No echo operation ${target ?? ''}.`),
        context: (base) => base,
      }),
  };

  const appWith = (b: Ballast, table: readonly AwsProtocol[]): Hono<ServerEnv> => {
    const app = new Hono<ServerEnv>();
    app.use('*', async (c, next) => {
      c.set('requestId', 'req-1');
      await next();
    });
    app.post(
      '*',
      routeProtocols(
        { ballast: b, options: resolveAppOptions({}), closing: new AbortController().signal },
        table,
      ),
    );
    return app;
  };

  it('its calls reach its operations through the shared pipeline, with region and account from the Ballast', async () => {
    ballast = await openTestBallast({ region: 'eu-west-1', accountId: '123456789012' });
    const app = appWith(ballast, [...PROTOCOLS, echo]);
    const res = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'Echo_20240101.Echo', 'content-type': AMZ_JSON_1_1 },
      body: JSON.stringify({ Say: 'hi' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(AMZ_JSON_1_1);
    expect(await res.json()).toEqual({
      input: { Say: 'hi' },
      region: 'eu-west-1',
      accountId: '123456789012',
      requestId: 'req-1',
    });
  });

  it('its failures take its own error shape; the other rows are unaffected', async () => {
    ballast = await openTestBallast();
    const app = appWith(ballast, [...PROTOCOLS, echo]);
    const bad = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'Echo_20240101.Nope', 'content-type': AMZ_JSON_1_1 },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 'InvalidAction', requestId: 'req-1' });
    const sqs = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': AMZ_JSON_1_0 },
      body: '{}',
    });
    expect(sqs.status).toBe(200);
    // SQS leaves empty lists out (compact): an SQS answer, not the echo protocol's.
    expect(await sqs.json()).toEqual({});
    expect(sqs.headers.get('content-type')).toBe(AMZ_JSON_1_0);
  });
});

describe('region and account come from the options, never from an ARN', () => {
  const call = async (
    app: ReturnType<typeof createApp>,
    target: string,
    body: object,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const contentType = target.startsWith('AWSEvents.') ? AMZ_JSON_1_1 : AMZ_JSON_1_0;
    const res = await app.request('/', {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': contentType },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('defaults: us-east-1 and 000000000000', async () => {
    ballast = await openTestBallast();
    expect([ballast.region, ballast.accountId]).toEqual(['us-east-1', '000000000000']);
    const app = createApp(ballast, { publicUrl: 'http://sqs.example' });
    expect((await call(app, 'AmazonSQS.CreateQueue', { QueueName: 'orders' })).body).toEqual({
      QueueUrl: 'http://sqs.example/000000000000/orders',
    });
    await app.close();
  });

  it("the Ballast's region and account appear in QueueUrls, ARNs and CreatedBy alike", async () => {
    ballast = await openTestBallast({ region: 'eu-west-1', accountId: '123456789012' });
    expect([ballast.region, ballast.accountId]).toEqual(['eu-west-1', '123456789012']);
    const app = createApp(ballast, { publicUrl: 'http://sqs.example' });
    const queueUrl = 'http://sqs.example/123456789012/orders';
    expect((await call(app, 'AmazonSQS.CreateQueue', { QueueName: 'orders' })).body).toEqual({
      QueueUrl: queueUrl,
    });
    const attributes = await call(app, 'AmazonSQS.GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn'],
    });
    expect(attributes.body).toEqual({
      Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:orders' },
    });
    // A QueueUrl of another account names no queue here.
    const other = await call(app, 'AmazonSQS.GetQueueAttributes', {
      QueueUrl: 'http://sqs.example/000000000000/orders',
    });
    expect([other.status, other.body.__type]).toEqual([400, 'com.amazonaws.sqs#QueueDoesNotExist']);
    await call(app, 'AWSEvents.PutRule', { Name: 'r', EventPattern: '{"source":["a"]}' });
    const rule = (await call(app, 'AWSEvents.DescribeRule', { Name: 'r' })).body;
    expect([rule.CreatedBy, rule.Arn]).toEqual([
      '123456789012',
      'arn:aws:events:eu-west-1:123456789012:rule/r',
    ]);
    await app.close();
  });
});
