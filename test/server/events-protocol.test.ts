import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeauthorizeConnectionCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  type EventBridgeClientConfig,
  ListArchivesCommand,
  ListEventBusesCommand,
  ListReplaysCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  StartReplayCommand,
  TestEventPatternCommand,
  UpdateArchiveCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rejection,
  startTestServer,
  TEST_CREDENTIALS,
  type RawResponse,
  type TestServer,
} from './helpers.js';

let t: TestServer;
let eb: EventBridgeClient;
const clients: EventBridgeClient[] = [];

/** An EventBridge SDK client on a test server. */
function ebClient(
  server: TestServer,
  config: Partial<EventBridgeClientConfig> = {},
): EventBridgeClient {
  const c = new EventBridgeClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    ...config,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestServer();
  eb = ebClient(t);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await t.close();
});

/** A raw EventBridge JSON 1.1 call (any target, content type or body). */
async function raw(
  server: TestServer,
  target: string | null,
  body: unknown,
  init: { contentType?: string | null; raw?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...init.headers };
  const type = init.contentType === undefined ? 'application/x-amz-json-1.1' : init.contentType;
  if (type !== null) headers['content-type'] = type;
  if (target !== null) headers['x-amz-target'] = target;
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    headers,
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
const call = (op: string, body: unknown, init?: Parameters<typeof raw>[3]): Promise<RawResponse> =>
  raw(t, `AWSEvents.${op}`, body, init);

/** Asserts an EventBridge-shaped error response. */
function expectError(res: RawResponse, status: number, type: string): void {
  expect({ status: res.status, type: res.body.__type }).toEqual({ status, type });
  expect(typeof res.body.message).toBe('string');
  expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(res.headers.get('x-amzn-errortype')).toBe(type);
  expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
}

/** The SDK error's name, HTTP status and message. */
async function sdkError(
  p: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  const e = await rejection(p);
  return {
    name: e.name,
    status: (e.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode,
    message: e.message,
  };
}

/** Creates a queue through the SQS side and returns its URL and the ARN rules target it by. */
async function queue(
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await t.client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await t.client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Receives through the SQS side until `count` message bodies arrived (fails after a few seconds). */
async function receive(url: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  const deadline = Date.now() + 10_000;
  while (bodies.length < count && Date.now() < deadline) {
    const { Messages = [] } = await t.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    bodies.push(...Messages.map((m) => m.Body!));
  }
  expect(bodies).toHaveLength(count);
  return bodies;
}

const arnOf = (kind: string, name: string): string =>
  `arn:aws:events:us-east-1:000000000000:${kind}/${name}`;

describe('events through rules and targets, end to end with the real SDKs', () => {
  it('PutEvents → a rule with a queue target → the envelope arrives through the SQS side', async () => {
    const q = await queue('eb-orders');
    const pattern = JSON.stringify({
      source: ['shop'],
      'detail-type': ['OrderPlaced'],
      detail: { total: [{ numeric: ['>', 100] }] },
    });
    const { RuleArn } = await eb.send(
      new PutRuleCommand({ Name: 'big-orders', EventPattern: pattern, Description: 'big ones' }),
    );
    expect(RuleArn).toBe(arnOf('rule', 'big-orders'));
    expect(
      await eb.send(
        new PutTargetsCommand({ Rule: 'big-orders', Targets: [{ Id: 'ship', Arn: q.arn }] }),
      ),
    ).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });

    const time = new Date('2026-01-01T00:00:00Z');
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'OrderPlaced',
            Detail: '{"id":"o-1","total":300.0}',
            Resources: ['arn:aws:shop:o-1'],
            Time: time,
          },
          { Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id":"o-2","total":5}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const [body] = await receive(q.url, 1);
    expect(JSON.parse(body!)).toEqual({
      version: '0',
      id: put.Entries![0]!.EventId,
      'detail-type': 'OrderPlaced',
      source: 'shop',
      account: '000000000000',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:shop:o-1'],
      detail: { id: 'o-1', total: 300 },
    });
    // The publisher's detail text is kept as sent.
    expect(body).toContain('"total":300.0');
  });

  it('PutEvents answers per entry, in request order; a request with no complete entry fails whole', async () => {
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'shop', DetailType: 'X', Detail: '{}' },
          { Source: 'shop', DetailType: 'X' },
          { Source: 'shop', DetailType: 'X', Detail: 'not json' },
          { Source: 'aws.ec2', DetailType: 'X', Detail: '{}' },
          { Source: 'shop', DetailType: 'X', Detail: '{}', EventBusName: 'no-such-bus' },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(4);
    expect(res.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.Entries!.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
    ]);
    expect(res.Entries![1]!.ErrorMessage).toContain('Detail');

    expect(
      await sdkError(eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop' }] }))),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
    const eleven = Array.from({ length: 11 }, () => ({
      Source: 'shop',
      DetailType: 'X',
      Detail: '{}',
    }));
    expect(await sdkError(eb.send(new PutEventsCommand({ Entries: eleven })))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
  });

  it('PutTargets and ListTargetsByRule round-trip every Target member; bad targets fail alone', async () => {
    const fifo = await queue('eb-shaped.fifo', { FifoQueue: 'true' });
    const dlq = await queue('eb-dlq');
    await eb.send(new PutRuleCommand({ Name: 'shaped', EventPattern: '{"source":["shaping"]}' }));
    const targets = [
      {
        Id: 'a',
        Arn: fifo.arn,
        InputTransformer: {
          InputPathsMap: { id: '$.detail.id' },
          InputTemplate: '{"order": <id>}',
        },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: dlq.arn },
        SqsParameters: { MessageGroupId: 'g1' },
      },
      { Id: 'b', Arn: dlq.arn, InputPath: '$.detail' },
      { Id: 'c', Arn: dlq.arn, Input: '{"constant":true}' },
      {
        Id: 'd',
        Arn: arnOf('api-destination', 'hook'),
        HttpParameters: {
          PathParameterValues: ['p'],
          HeaderParameters: { h: 'v' },
          QueryStringParameters: { q: '1' },
        },
      },
    ];
    const put = await eb.send(
      new PutTargetsCommand({
        Rule: 'shaped',
        Targets: [
          ...targets,
          { Id: 'bad-arn', Arn: 'arn:aws:sns:us-east-1:000000000000:topic' },
          { Id: 'ecs', Arn: dlq.arn, EcsParameters: { TaskDefinitionArn: 'x' } },
          { Id: 'two-inputs', Arn: dlq.arn, Input: '{}', InputPath: '$.detail' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(3);
    expect(put.FailedEntries!.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ['ecs', 'ValidationException'],
      ['bad-arn', 'ValidationException'],
      ['two-inputs', 'ValidationException'],
    ]);
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'shaped' }))).Targets).toEqual(
      targets,
    );

    const firstTwo = await eb.send(new ListTargetsByRuleCommand({ Rule: 'shaped', Limit: 2 }));
    expect(firstTwo.Targets!.map((x) => x.Id)).toEqual(['a', 'b']);
    const rest = await eb.send(
      new ListTargetsByRuleCommand({ Rule: 'shaped', Limit: 2, NextToken: firstTwo.NextToken }),
    );
    expect(rest.Targets!.map((x) => x.Id)).toEqual(['c', 'd']);

    expect(
      (await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: dlq.arn }))).RuleNames,
    ).toEqual(['shaped']);
    expect(
      (await eb.send(new RemoveTargetsCommand({ Rule: 'shaped', Ids: ['b', 'c'] })))
        .FailedEntryCount,
    ).toBe(0);
    expect(
      (await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: dlq.arn }))).RuleNames,
    ).toEqual([]);

    await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'shaping', DetailType: 'X', Detail: '{"id":42}' }],
      }),
    );
    expect(await receive(fifo.url, 1)).toEqual(['{"order": 42}']);
  });

  it('rules: describe, disable/enable, list, delete (only without targets), on the default and a custom bus', async () => {
    const q = await queue('eb-rules');
    await eb.send(
      new PutRuleCommand({
        Name: 'r1',
        EventPattern: '{"source":["rules"]}',
        State: 'DISABLED',
        RoleArn: 'arn:aws:iam::000000000000:role/x',
      }),
    );
    expect(await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).toMatchObject({
      Name: 'r1',
      Arn: arnOf('rule', 'r1'),
      EventPattern: '{"source":["rules"]}',
      State: 'DISABLED',
      RoleArn: 'arn:aws:iam::000000000000:role/x',
      EventBusName: 'default',
      CreatedBy: '000000000000',
    });
    await eb.send(new PutTargetsCommand({ Rule: 'r1', Targets: [{ Id: 'q', Arn: q.arn }] }));
    await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'rules', DetailType: 'while-disabled', Detail: '{}' }],
      }),
    );
    await eb.send(new EnableRuleCommand({ Name: 'r1' }));
    expect((await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).State).toBe('ENABLED');
    await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'rules', DetailType: 'while-enabled', Detail: '{}' }],
      }),
    );
    const [body] = await receive(q.url, 1);
    expect((JSON.parse(body!) as Record<string, unknown>)['detail-type']).toBe('while-enabled');
    await eb.send(new DisableRuleCommand({ Name: 'r1' }));
    expect((await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).State).toBe('DISABLED');

    expect(await sdkError(eb.send(new DeleteRuleCommand({ Name: 'r1' })))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    await eb.send(new RemoveTargetsCommand({ Rule: 'r1', Ids: ['q'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'r1' }));
    // Deleting again succeeds, as in EventBridge.
    await eb.send(new DeleteRuleCommand({ Name: 'r1' }));
    expect(await sdkError(eb.send(new DescribeRuleCommand({ Name: 'r1' })))).toEqual({
      name: 'ResourceNotFoundException',
      status: 400,
      message: 'Rule r1 does not exist on EventBus default.',
    });

    await eb.send(new CreateEventBusCommand({ Name: 'rules-bus' }));
    const custom = await eb.send(
      new PutRuleCommand({
        Name: 'on-custom',
        EventBusName: 'rules-bus',
        EventPattern: '{"source":["custom"]}',
      }),
    );
    expect(custom.RuleArn).toBe(arnOf('rule', 'rules-bus/on-custom'));
    await eb.send(
      new PutTargetsCommand({
        Rule: 'on-custom',
        EventBusName: 'rules-bus',
        Targets: [{ Id: 'q', Arn: q.arn }],
      }),
    );
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'custom',
            DetailType: 'X',
            Detail: '{"on":"custom"}',
            EventBusName: arnOf('event-bus', 'rules-bus'),
          },
        ],
      }),
    );
    expect((JSON.parse((await receive(q.url, 1))[0]!) as { detail: unknown }).detail).toEqual({
      on: 'custom',
    });
    expect((await eb.send(new ListRulesCommand({ EventBusName: 'rules-bus' }))).Rules).toEqual([
      {
        Name: 'on-custom',
        Arn: custom.RuleArn,
        EventPattern: '{"source":["custom"]}',
        State: 'ENABLED',
        EventBusName: 'rules-bus',
      },
    ]);
    expect(
      await sdkError(eb.send(new DescribeRuleCommand({ Name: 'on-custom', EventBusName: 'nope' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });
});

describe('errors the SDK decodes into EventBridge exceptions', () => {
  it('invalid patterns → InvalidEventPatternException with the reason', async () => {
    const e = await sdkError(
      eb.send(
        new PutRuleCommand({ Name: 'bad', EventPattern: '{"detail":{"n":[{"numeric":10}]}}' }),
      ),
    );
    expect(e).toMatchObject({ name: 'InvalidEventPatternException', status: 400 });
    expect(e.message).toContain(
      'Event pattern is not valid. Reason: Value of numeric must be an array.',
    );
    const empty = await sdkError(
      eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"resources":[]}' })),
    );
    expect(empty.message).toContain('Empty arrays are not allowed');
    expect(
      await sdkError(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: 'not json' }))),
    ).toMatchObject({ name: 'InvalidEventPatternException', status: 400 });
    expect(await sdkError(eb.send(new PutRuleCommand({ Name: 'no-pattern' })))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
    expect(
      await sdkError(
        eb.send(new PutRuleCommand({ Name: 'bad name!', EventPattern: '{"source":["x"]}' })),
      ),
    ).toMatchObject({ name: 'ValidationException' });
  });

  it('already exists, not found and limit exceeded', async () => {
    await eb.send(new CreateEventBusCommand({ Name: 'twice' }));
    expect(await sdkError(eb.send(new CreateEventBusCommand({ Name: 'twice' })))).toEqual({
      name: 'ResourceAlreadyExistsException',
      status: 400,
      message: 'Event bus twice already exists.',
    });
    expect(await sdkError(eb.send(new DescribeEventBusCommand({ Name: 'never' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
    });
    expect(
      await sdkError(
        eb.send(new PutTargetsCommand({ Rule: 'never', Targets: [{ Id: 'x', Arn: 'y' }] })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });

    const q = await queue('eb-limit');
    await eb.send(new PutRuleCommand({ Name: 'crowded', EventPattern: '{"source":["crowd"]}' }));
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: q.arn }));
    const e = await sdkError(eb.send(new PutTargetsCommand({ Rule: 'crowded', Targets: six })));
    expect(e).toMatchObject({ name: 'LimitExceededException', status: 400 });
    expect(e.message).toContain('5 targets per rule');
  });

  it('TestEventPattern: Result, pattern errors, and events without the envelope fields', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'shop',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'OrderPlaced',
      resources: [],
      detail: { total: 250 },
    });
    const test = (pattern: object | string, ev = event) =>
      eb.send(
        new TestEventPatternCommand({
          EventPattern: typeof pattern === 'string' ? pattern : JSON.stringify(pattern),
          Event: ev,
        }),
      );
    expect((await test({ detail: { total: [{ numeric: ['>', 100] }] } })).Result).toBe(true);
    expect((await test({ source: ['other'] })).Result).toBe(false);
    const bad = await sdkError(test({ source: 'shop' }));
    expect(bad).toMatchObject({ name: 'InvalidEventPatternException', status: 400 });
    expect(bad.message).toContain(
      'Event pattern is not valid. Reason: "source" must be an object or an array',
    );
    const bare = await sdkError(test({ source: ['shop'] }, '{"source":"shop"}'));
    expect(bare).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(bare.message).toContain('Parameter Event is not valid');
    expect(await sdkError(test({ source: ['shop'] }, 'not json'))).toMatchObject({
      name: 'ValidationException',
      status: 400,
    });
  });

  it('operations Ballast does not offer → OperationDisabledException (400), unknown ones → UnknownOperationException', async () => {
    const e = await sdkError(eb.send(new DeauthorizeConnectionCommand({ Name: 'c' })));
    expect(e).toMatchObject({ name: 'OperationDisabledException', status: 400 });
    expect(e.message).toContain('UpdateConnection');
    for (const op of ['CreateEndpoint', 'ListPartnerEventSources'])
      expectError(await call(op, { Name: 'x' }), 400, 'OperationDisabledException');
    expectError(await call('Explode', {}), 400, 'UnknownOperationException');
  });
});

describe('event buses and paging', () => {
  it('CreateEventBus / DescribeEventBus / DeleteEventBus, timestamps as epoch seconds', async () => {
    const q = await queue('eb-bus-dlq');
    const created = await eb.send(
      new CreateEventBusCommand({
        Name: 'described',
        Description: 'mine',
        DeadLetterConfig: { Arn: q.arn },
        Tags: [{ Key: 'team', Value: 'a' }],
      }),
    );
    expect(created).toMatchObject({
      EventBusArn: arnOf('event-bus', 'described'),
      Description: 'mine',
      DeadLetterConfig: { Arn: q.arn },
    });
    const d = await eb.send(new DescribeEventBusCommand({ Name: 'described' }));
    expect(d).toMatchObject({
      Name: 'described',
      Arn: created.EventBusArn,
      Description: 'mine',
      DeadLetterConfig: { Arn: q.arn },
    });
    expect(Math.abs(d.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(d.LastModifiedTime).toBeInstanceOf(Date);
    expect((await eb.send(new DescribeEventBusCommand({}))).Name).toBe('default');
    const wire = await call('DescribeEventBus', { Name: 'described' });
    expect(wire.body.CreationTime).toBeCloseTo(d.CreationTime!.getTime() / 1000, 2);

    await eb.send(
      new PutRuleCommand({
        Name: 'holds',
        EventBusName: 'described',
        EventPattern: '{"source":["x"]}',
      }),
    );
    expect(await sdkError(eb.send(new DeleteEventBusCommand({ Name: 'described' })))).toMatchObject(
      { name: 'ValidationException', status: 400 },
    );
    await eb.send(new DeleteRuleCommand({ Name: 'holds', EventBusName: 'described' }));
    await eb.send(new DeleteEventBusCommand({ Name: 'described' }));
    expect(
      await sdkError(eb.send(new DescribeEventBusCommand({ Name: 'described' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await sdkError(eb.send(new DeleteEventBusCommand({ Name: 'default' })))).toMatchObject({
      name: 'ValidationException',
    });
    // A KMS key id is accepted and shown (issue 14), not used.
    expect(
      (await eb.send(new CreateEventBusCommand({ Name: 'kms', KmsKeyIdentifier: 'k' })))
        .KmsKeyIdentifier,
    ).toBe('k');
  });

  it('ListRules and ListEventBuses page with Limit and NextToken', async () => {
    for (const n of [1, 2, 3, 4, 5])
      await eb.send(
        new PutRuleCommand({ Name: `page-${n}`, EventPattern: '{"source":["paging"]}' }),
      );
    const names: string[][] = [];
    let token: string | undefined;
    do {
      const page = await eb.send(
        new ListRulesCommand({ NamePrefix: 'page-', Limit: 2, NextToken: token }),
      );
      names.push(page.Rules!.map((r) => r.Name!));
      token = page.NextToken;
    } while (token !== undefined);
    expect(names).toEqual([['page-1', 'page-2'], ['page-3', 'page-4'], ['page-5']]);

    for (const n of ['a', 'b', 'c'])
      await eb.send(new CreateEventBusCommand({ Name: `paged-${n}` }));
    const first = await eb.send(new ListEventBusesCommand({ NamePrefix: 'paged-', Limit: 2 }));
    expect(first.EventBuses!.map((b) => b.Name)).toEqual(['paged-a', 'paged-b']);
    expect(first.EventBuses![0]).toMatchObject({ Arn: arnOf('event-bus', 'paged-a') });
    const second = await eb.send(
      new ListEventBusesCommand({ NamePrefix: 'paged-', Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.EventBuses!.map((b) => b.Name)).toEqual(['paged-c']);
    expect(second.NextToken).toBeUndefined();
    expect(await sdkError(eb.send(new ListRulesCommand({ Limit: 0 })))).toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('archives and replays', () => {
  it('archives a bus, replays a window to completion, and the replayed events reach a new rule', async () => {
    const busArn = (await eb.send(new CreateEventBusCommand({ Name: 'archived' }))).EventBusArn!;
    const created = await eb.send(
      new CreateArchiveCommand({
        ArchiveName: 'history',
        EventSourceArn: busArn,
        Description: 'all of it',
      }),
    );
    expect(created).toMatchObject({ ArchiveArn: arnOf('archive', 'history'), State: 'ENABLED' });
    expect(created.CreationTime).toBeInstanceOf(Date);
    expect(
      await sdkError(
        eb.send(new CreateArchiveCommand({ ArchiveName: 'history', EventSourceArn: busArn })),
      ),
    ).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 400 });
    expect(
      await sdkError(
        eb.send(
          new CreateArchiveCommand({
            ArchiveName: 'bad',
            EventSourceArn: busArn,
            EventPattern: '{"x":1}',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidEventPatternException',
    });

    const base = Math.floor(Date.now() / 60_000) * 60 - 600;
    const entries = [0, 1, 2].map((i) => ({
      Source: 'history',
      DetailType: 'Tick',
      Detail: `{"n":${i}}`,
      EventBusName: 'archived',
      Time: new Date((base + i * 60) * 1000),
    }));
    expect((await eb.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount).toBe(0);
    // Events reach the archive at dispatch, in the background.
    const deadline = Date.now() + 10_000;
    let described = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'history' }));
    while (described.EventCount !== 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      described = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'history' }));
    }
    expect(described).toMatchObject({
      ArchiveName: 'history',
      ArchiveArn: created.ArchiveArn,
      EventSourceArn: busArn,
      Description: 'all of it',
      State: 'ENABLED',
      RetentionDays: 0,
      EventCount: 3,
    });
    expect(described.SizeBytes).toBeGreaterThan(0);
    expect(
      await eb.send(
        new UpdateArchiveCommand({
          ArchiveName: 'history',
          RetentionDays: 7,
          Description: 'a week',
        }),
      ),
    ).toMatchObject({ ArchiveArn: created.ArchiveArn, State: 'ENABLED' });
    expect((await eb.send(new ListArchivesCommand({ EventSourceArn: busArn }))).Archives).toEqual([
      expect.objectContaining({
        ArchiveName: 'history',
        EventSourceArn: busArn,
        State: 'ENABLED',
        RetentionDays: 7,
        EventCount: 3,
      }),
    ]);
    expect(
      (await eb.send(new ListArchivesCommand({ NamePrefix: 'history', State: 'DISABLED' })))
        .Archives,
    ).toEqual([]);

    // A rule added after the fact gets the history through a replay.
    const q = await queue('eb-replayed');
    const { RuleArn } = await eb.send(
      new PutRuleCommand({
        Name: 'late',
        EventBusName: 'archived',
        EventPattern: '{"source":["history"]}',
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'late',
        EventBusName: 'archived',
        Targets: [{ Id: 'q', Arn: q.arn }],
      }),
    );
    const start = new Date(base * 1000);
    const end = new Date((base + 120) * 1000);
    const started = await eb.send(
      new StartReplayCommand({
        ReplayName: 'catch-up',
        EventSourceArn: created.ArchiveArn,
        EventStartTime: start,
        EventEndTime: end,
        Destination: { Arn: busArn, FilterArns: [RuleArn!] },
      }),
    );
    expect(started).toMatchObject({ ReplayArn: arnOf('replay', 'catch-up'), State: 'STARTING' });
    expect(started.ReplayStartTime).toBeInstanceOf(Date);
    let replay = await eb.send(new DescribeReplayCommand({ ReplayName: 'catch-up' }));
    while (replay.State !== 'COMPLETED' && Date.now() < deadline + 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      replay = await eb.send(new DescribeReplayCommand({ ReplayName: 'catch-up' }));
    }
    expect(replay).toMatchObject({
      ReplayName: 'catch-up',
      ReplayArn: started.ReplayArn,
      State: 'COMPLETED',
      EventSourceArn: created.ArchiveArn,
      Destination: { Arn: busArn, FilterArns: [RuleArn] },
      EventStartTime: start,
      EventEndTime: end,
      EventLastReplayedTime: new Date((base + 60) * 1000),
    });
    expect(replay.ReplayEndTime).toBeInstanceOf(Date);
    const bodies = (await receive(q.url, 2)).map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(bodies.map((b) => [b['replay-name'], b.detail]).sort()).toEqual([
      ['catch-up', { n: 0 }],
      ['catch-up', { n: 1 }],
    ]);

    expect(
      (
        await eb.send(
          new ListReplaysCommand({ State: 'COMPLETED', EventSourceArn: created.ArchiveArn }),
        )
      ).Replays,
    ).toEqual([
      expect.objectContaining({
        ReplayName: 'catch-up',
        State: 'COMPLETED',
        EventSourceArn: created.ArchiveArn,
        EventStartTime: start,
      }),
    ]);
    const cancel = await sdkError(eb.send(new CancelReplayCommand({ ReplayName: 'catch-up' })));
    expect(cancel).toMatchObject({ name: 'IllegalStatusException', status: 400 });
    expect(
      await sdkError(eb.send(new ListReplaysCommand({ State: 'BOGUS' as 'COMPLETED' }))),
    ).toMatchObject({ name: 'ValidationException' });
    expect(
      await sdkError(eb.send(new DescribeReplayCommand({ ReplayName: 'never' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });

    await eb.send(new DeleteArchiveCommand({ ArchiveName: 'history' }));
    expect(
      await sdkError(eb.send(new DescribeArchiveCommand({ ArchiveName: 'history' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });

  it('CancelReplay of an active replay answers CANCELLING and the replay ends', async () => {
    const busArn = (await eb.send(new CreateEventBusCommand({ Name: 'cancelled' }))).EventBusArn!;
    const { ArchiveArn } = await eb.send(
      new CreateArchiveCommand({ ArchiveName: 'to-cancel', EventSourceArn: busArn }),
    );
    const { ReplayArn } = await eb.send(
      new StartReplayCommand({
        ReplayName: 'stopped',
        EventSourceArn: ArchiveArn,
        EventStartTime: new Date(0),
        EventEndTime: new Date(),
        Destination: { Arn: busArn },
      }),
    );
    const res = await call('CancelReplay', { ReplayName: 'stopped' });
    // An empty replay may finish before the cancel lands; both answers are EventBridge's.
    if (res.status === 200) expect(res.body).toEqual({ ReplayArn, State: 'CANCELLING' });
    else expectError(res, 400, 'IllegalStatusException');
    let state: string | undefined;
    for (let i = 0; i < 500 && state !== 'CANCELLED' && state !== 'COMPLETED'; i++) {
      state = (await eb.send(new DescribeReplayCommand({ ReplayName: 'stopped' }))).State;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(state).toBe(res.status === 200 ? 'CANCELLED' : 'COMPLETED');
  });
});

describe('raw requests: bad input never yields a 5xx, and SQS still works on the same port', () => {
  it('malformed and non-object bodies → SerializationException; an empty body is {}', async () => {
    expectError(
      await call('ListRules', null, { raw: '{"NamePrefix":' }),
      400,
      'SerializationException',
    );
    expectError(await call('ListRules', null, { raw: '[1,2]' }), 400, 'SerializationException');
    expectError(await call('ListRules', null, { raw: '"text"' }), 400, 'SerializationException');
    const empty = await call('ListEventBuses', null, { raw: '' });
    expect(empty.status).toBe(200);
    expect(empty.body.EventBuses).toEqual(
      expect.arrayContaining([expect.objectContaining({ Name: 'default' })]),
    );
  });

  it('wrong content types → 415 UnsupportedMediaTypeException; parameters after the type are ignored', async () => {
    expectError(
      await call('ListRules', {}, { contentType: 'application/json' }),
      415,
      'UnsupportedMediaTypeException',
    );
    expectError(
      await call('ListRules', {}, { contentType: 'application/x-amz-json-1.0' }),
      415,
      'UnsupportedMediaTypeException',
    );
    expectError(
      await call('ListRules', {}, { contentType: null }),
      415,
      'UnsupportedMediaTypeException',
    );
    expect(
      (await call('ListRules', {}, { contentType: 'Application/X-Amz-Json-1.1; charset=utf-8' }))
        .status,
    ).toBe(200);
  });

  it('unknown or missing targets → UnknownOperationException when the request is EventBridge-shaped', async () => {
    expectError(await call('Explode', {}), 400, 'UnknownOperationException');
    expectError(await call('', {}), 400, 'UnknownOperationException');
    expectError(await raw(t, null, {}), 400, 'UnknownOperationException');
    // Without the JSON 1.1 content type, a request with no (or another) target stays SQS's.
    const sqs = await raw(
      t,
      'AmazonSNS.Publish',
      {},
      { contentType: 'application/x-amz-json-1.0' },
    );
    expect(sqs.status).toBe(400);
    expect(sqs.body.__type).toMatch(/#InvalidAction$/);
  });

  it('wrong member types and missing members → ValidationException', async () => {
    expectError(await call('PutRule', { Name: 5, EventPattern: '{}' }), 400, 'ValidationException');
    expectError(
      await call('PutRule', { EventPattern: '{"source":["x"]}' }),
      400,
      'ValidationException',
    );
    expectError(await call('PutEvents', { Entries: 'x' }), 400, 'ValidationException');
    expectError(
      await call('PutEvents', {
        Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', Time: 'yesterday' }],
      }),
      400,
      'ValidationException',
    );
    expectError(
      await call('PutEvents', { Entries: [{ Source: 's', DetailType: 'd', Detail: { a: 1 } }] }),
      400,
      'ValidationException',
    );
    expectError(await call('ListRules', { Limit: '5' }), 400, 'ValidationException');
    expectError(
      await call('PutTargets', { Rule: 'x', Targets: [null] }),
      400,
      'ValidationException',
    );
    expectError(
      await call('CreateEventBus', { Name: 'tagged', Tags: [{ Key: 'k' }] }),
      400,
      'ValidationException',
    );
    expectError(
      await call('StartReplay', {
        ReplayName: 'r',
        EventSourceArn: 'a',
        EventStartTime: 0,
        EventEndTime: 1,
      }),
      400,
      'ValidationException',
    );
    expectError(await call('DeleteRule', { Name: 'x', Force: 'yes' }), 400, 'ValidationException');
    // Finite but past the end of JavaScript dates.
    expectError(
      await call('StartReplay', {
        ReplayName: 'r',
        EventSourceArn: 'a',
        EventStartTime: 0,
        EventEndTime: 1e20,
        Destination: { Arn: 'x' },
      }),
      400,
      'ValidationException',
    );
  });

  it('PutEvents Time is epoch seconds (fractional too); response times are epoch seconds', async () => {
    const res = await call('PutEvents', {
      Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', Time: 1767225600.5 }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.any(String) }],
    });
    const bus = await call('DescribeEventBus', {});
    expect(bus.body.CreationTime).toBeLessThan(1e11);
    expect(bus.body.CreationTime).toBeGreaterThan(1.7e9);
  });

  it('every operation survives hostile bodies with a 4xx', async () => {
    const ops = [
      'PutEvents',
      'PutRule',
      'DescribeRule',
      'ListRules',
      'DeleteRule',
      'EnableRule',
      'DisableRule',
      'PutTargets',
      'RemoveTargets',
      'ListTargetsByRule',
      'ListRuleNamesByTarget',
      'TestEventPattern',
      'CreateEventBus',
      'DescribeEventBus',
      'ListEventBuses',
      'DeleteEventBus',
      'CreateArchive',
      'DescribeArchive',
      'ListArchives',
      'UpdateArchive',
      'DeleteArchive',
      'StartReplay',
      'DescribeReplay',
      'ListReplays',
      'CancelReplay',
      'CreateConnection',
      'DescribeConnection',
      'ListConnections',
      'UpdateConnection',
      'DeleteConnection',
      'CreateApiDestination',
      'DescribeApiDestination',
      'ListApiDestinations',
      'UpdateApiDestination',
      'DeleteApiDestination',
    ];
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const bodies = [
      '{"Name":null,"Rule":{},"Entries":[{}],"Targets":[{}],"Ids":[1],"Limit":-1,"NextToken":"%%%"}',
      '{"Name":"x","Rule":"x","Entries":[{"Source":"s","DetailType":"d","Detail":"{}","Time":1e308}],"Targets":[{"Id":"","Arn":""}],"Ids":[]}',
      '{"Name":"🙂","ArchiveName":"a/../b","ReplayName":"","EventSourceArn":"arn:aws:events:us-east-1:000000000000:archive/","EventStartTime":-1e20,"EventEndTime":1e20,"Destination":{"Arn":"x"}}',
      '{"EventPattern":"{\\"a\\":[{\\"wildcard\\":\\"**\\"}]}","Event":"[]","Limit":1.5,"State":"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}',
      `{"Name":"x","EventPattern":"${'{\\"a\\":'.repeat(2000)}[1]${'}'.repeat(2000)}","Event":"${'{\\"a\\":'.repeat(5000)}1${'}'.repeat(5000)}"}`,
      `{"Entries":${deep}}`,
      `{"Name":"x","Description":"${'d'.repeat(100_000)}","EventPattern":"{\\"source\\":[\\"x\\"]}"}`,
      '{"Entries":[{"Source":"s","DetailType":"d","Detail":"{\\"n\\":1e999}"}]}',
      '{"Name":"h","AuthorizationType":"API_KEY","AuthParameters":{"ApiKeyAuthParameters":{"ApiKeyName":"k"},"InvocationHttpParameters":{"HeaderParameters":[null,{"Key":1}]}},"ConnectionArn":{},"InvocationEndpoint":"file:///etc/passwd","InvocationRateLimitPerSecond":1e300}',
      '{"Name":"o","AuthorizationType":"OAUTH_CLIENT_CREDENTIALS","AuthParameters":{"OAuthParameters":{"ClientParameters":"x","HttpMethod":"DELETE"}},"HttpMethod":"TRACE","ConnectionState":"x"}',
    ];
    for (const op of ops) {
      for (const body of bodies) {
        const res = await call(op, null, { raw: body });
        expect({ op, body: body.slice(0, 60), status: res.status < 500 }).toEqual({
          op,
          body: body.slice(0, 60),
          status: true,
        });
        if (res.status !== 200) expect(typeof res.body.__type).toBe('string');
      }
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('SQS calls keep working on the same port, side by side', async () => {
    const sqs = await t.call('CreateQueue', { QueueName: 'side-by-side' });
    expect(sqs.status).toBe(200);
    expect(sqs.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(
      (await t.client.send(new ListQueuesCommand({ QueueNamePrefix: 'side-by-side' }))).QueueUrls,
    ).toHaveLength(1);
    expect((await call('ListRules', {})).headers.get('content-type')).toBe(
      'application/x-amz-json-1.1',
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(
      /ballast_http_requests_total\{operation="PutEvents",status="200"\} \d+/,
    );
    expect(metrics).toContain('ballast_http_requests_total{operation="CreateQueue",status="200"}');
  });
});

describe('SigV4 on the EventBridge path when credentials are configured', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ credentials: [TEST_CREDENTIALS] });
  });
  afterAll(() => s.close());

  it('accepts what the real SDK signed for `events`; refuses wrong keys and unsigned requests', async () => {
    const signed = ebClient(s);
    expect(
      (
        await signed.send(
          new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
        )
      ).FailedEntryCount,
    ).toBe(0);
    expect(
      (await ebClient(s, { region: 'eu-west-1' }).send(new ListEventBusesCommand({}))).EventBuses,
    ).toHaveLength(1);
    const wrong = ebClient(s, { credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' } });
    const e = await sdkError(wrong.send(new ListRulesCommand({})));
    expect(e).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(e.message).toContain('signature');
    expect(
      await sdkError(
        ebClient(s, { credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } }).send(
          new ListRulesCommand({}),
        ),
      ),
    ).toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expectError(
      await raw(s, 'AWSEvents.ListRules', {}),
      403,
      'MissingAuthenticationTokenException',
    );
    // The SQS side still verifies with its own signing name.
    expect((await s.client.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
  });
});
