import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, rejection, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const create = async (name: string, Attributes?: Record<string, string>): Promise<string> =>
  (
    await t.client.send(
      new CreateQueueCommand({ QueueName: name, ...(Attributes ? { Attributes } : {}) }),
    )
  ).QueueUrl!;

describe('SQS queue operations over HTTP', () => {
  it('returns QueueUrls that point back at the server, and GetQueueUrl finds them', async () => {
    const url = await create('urls');
    expect(url).toBe(`${t.url}/000000000000/urls`);
    const got = await t.client.send(new GetQueueUrlCommand({ QueueName: 'urls' }));
    expect(got.QueueUrl).toBe(url);
    const e = await rejection(
      t.client.send(
        new GetQueueUrlCommand({ QueueName: 'urls', QueueOwnerAWSAccountId: '111111111111' }),
      ),
    );
    expect(e.name).toBe('QueueDoesNotExist');
  });

  it('CreateQueue is idempotent with identical attributes, QueueNameExists otherwise, QueueDeletedRecently after a delete', async () => {
    const a = await create('idem', { VisibilityTimeout: '45' });
    expect(await create('idem', { VisibilityTimeout: '45' })).toBe(a);
    const exists = await rejection(create('idem', { VisibilityTimeout: '46' }));
    expect(errorSummary(exists)).toEqual({
      name: 'QueueNameExists',
      code: 'QueueAlreadyExists',
      status: 400,
    });
    await t.client.send(new DeleteQueueCommand({ QueueUrl: a }));
    const recently = await rejection(create('idem'));
    expect(errorSummary(recently)).toEqual({
      name: 'QueueDeletedRecently',
      code: 'AWS.SimpleQueueService.QueueDeletedRecently',
      status: 400,
    });
  });

  it('errors carry the query-error header and __type, decoded by the SDK into typed exceptions', async () => {
    const e = await rejection(t.client.send(new GetQueueUrlCommand({ QueueName: 'missing' })));
    expect(e).toBeInstanceOf(QueueDoesNotExist);
    expect(errorSummary(e)).toEqual({
      name: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
    });
    expect((e.$metadata as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
    const raw = await t.call('GetQueueUrl', { QueueName: 'missing' });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-query-error')).toBe(
      'AWS.SimpleQueueService.NonExistentQueue;Sender',
    );
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(raw.body.__type).toBe('com.amazonaws.sqs#QueueDoesNotExist');
    expect(raw.body.message).toContain('missing');
  });

  it('rejects invalid names and attribute values with the SQS codes', async () => {
    expect(errorSummary(await rejection(create('bad name')))).toMatchObject({
      name: 'InvalidParameterValue',
      status: 400,
    });
    expect(
      errorSummary(await rejection(create('v', { VisibilityTimeout: '43201' }))),
    ).toMatchObject({ name: 'InvalidAttributeValue' });
    expect(errorSummary(await rejection(create('v', { Bogus: '1' })))).toMatchObject({
      name: 'InvalidAttributeName',
    });
  });

  it('ListQueues filters by prefix and pages with NextToken only when MaxResults is set', async () => {
    for (const n of ['lq-1', 'lq-2', 'lq-3']) await create(n);
    const all = await t.client.send(new ListQueuesCommand({ QueueNamePrefix: 'lq-' }));
    expect(all.QueueUrls).toEqual(
      ['lq-1', 'lq-2', 'lq-3'].map((n) => `${t.url}/000000000000/${n}`),
    );
    expect(all.NextToken).toBeUndefined();
    const page = await t.client.send(
      new ListQueuesCommand({ QueueNamePrefix: 'lq-', MaxResults: 2 }),
    );
    expect(page.QueueUrls).toHaveLength(2);
    const rest = await t.client.send(
      new ListQueuesCommand({ QueueNamePrefix: 'lq-', MaxResults: 2, NextToken: page.NextToken! }),
    );
    expect(rest.QueueUrls).toEqual([`${t.url}/000000000000/lq-3`]);
    expect(rest.NextToken).toBeUndefined();
    const none = await t.client.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }));
    expect(none.QueueUrls ?? []).toEqual([]);
  });

  it('attribute values are strings; queue timestamps are epoch seconds', async () => {
    const url = await create('attrs', { DelaySeconds: '2' });
    const before = Math.floor(Date.now() / 1000);
    const { Attributes: a } = await t.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    for (const v of Object.values(a!)) expect(typeof v).toBe('string');
    expect(a).toMatchObject({
      DelaySeconds: '2',
      VisibilityTimeout: '30',
      ApproximateNumberOfMessages: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:attrs',
    });
    expect(Math.abs(Number(a!.CreatedTimestamp) - before)).toBeLessThan(5);
    await t.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '60' } }),
    );
    const one = await t.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(one.Attributes).toEqual({ VisibilityTimeout: '60' });
    const none = await t.client.send(new GetQueueAttributesCommand({ QueueUrl: url }));
    expect(none.Attributes ?? {}).toEqual({});
    const fifo = await rejection(
      t.client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: 'true' } }),
      ),
    );
    expect(fifo.name).toBe('InvalidAttributeName');
  });

  it('tags, untags and lists tags', async () => {
    const url = (
      await t.client.send(new CreateQueueCommand({ QueueName: 'tags', tags: { team: 'pay' } }))
    ).QueueUrl!;
    await t.client.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: 'dev', tier: '1' } }));
    await t.client.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tier'] }));
    const { Tags } = await t.client.send(new ListQueueTagsCommand({ QueueUrl: url }));
    expect(Tags).toEqual({ team: 'pay', env: 'dev' });
  });

  it('PurgeQueue empties the queue; a second purge within 60 s is PurgeQueueInProgress (403)', async () => {
    const url = await create('purge');
    await t.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await t.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    const { Attributes } = await t.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '0' });
    const again = await rejection(t.client.send(new PurgeQueueCommand({ QueueUrl: url })));
    expect(errorSummary(again)).toEqual({
      name: 'PurgeQueueInProgress',
      code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
    });
  });

  it('ListDeadLetterSourceQueues answers lower-case queueUrls, paged', async () => {
    const dlq = await create('dlq-src-target');
    const arn = 'arn:aws:sqs:us-east-1:000000000000:dlq-src-target';
    const policy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 });
    await create('dlq-src-a', { RedrivePolicy: policy });
    await create('dlq-src-b', { RedrivePolicy: policy });
    const raw = await t.call('ListDeadLetterSourceQueues', { QueueUrl: dlq });
    expect(raw.body).toEqual({
      queueUrls: [`${t.url}/000000000000/dlq-src-a`, `${t.url}/000000000000/dlq-src-b`],
    });
    const page = await t.client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1 }),
    );
    expect(page.queueUrls).toEqual([`${t.url}/000000000000/dlq-src-a`]);
    const rest = await t.client.send(
      new ListDeadLetterSourceQueuesCommand({
        QueueUrl: dlq,
        MaxResults: 1,
        NextToken: page.NextToken!,
      }),
    );
    expect(rest.queueUrls).toEqual([`${t.url}/000000000000/dlq-src-b`]);
    expect(rest.NextToken).toBeUndefined();
  });

  it('resolves the queue from the QueueUrl in the body, whatever its origin', async () => {
    await create('origin');
    await t.client.send(
      new SendMessageCommand({
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/origin',
        MessageBody: 'a',
      }),
    );
    await t.client.send(
      new SendMessageCommand({ QueueUrl: '/000000000000/origin', MessageBody: 'b' }),
    );
    const { Attributes } = await t.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${t.url}/000000000000/origin`,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '2' });
    const other = await rejection(
      t.client.send(
        new SendMessageCommand({ QueueUrl: `${t.url}/111111111111/origin`, MessageBody: 'c' }),
      ),
    );
    expect(other.name).toBe('QueueDoesNotExist');
    const malformed = await rejection(
      t.client.send(new SendMessageCommand({ QueueUrl: 'not a url', MessageBody: 'c' })),
    );
    expect(errorSummary(malformed)).toMatchObject({
      name: 'InvalidAddress',
      code: 'InvalidAddress',
      status: 404,
    });
  });

  it('a client without an explicit endpoint follows the returned QueueUrl to the server', async () => {
    const url = await create('follow');
    const quiet = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const roaming = t.newClient({ endpoint: undefined, logger: quiet });
    const sent = await roaming.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'followed' }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
