import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SQS_QUERY_ACTIONS } from '../../../src/server/protocols/sqs-query/actions.js';
import { SQS_OPERATIONS } from '../../../src/server/protocols/sqs/operations/index.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../helpers.js';
import { signForTest } from '../sign.js';

/*
 * The SQS query protocol over plain HTTP: the exact XML shapes, GET and POST forms, posts to a
 * queue's URL, error bodies, escaping, and SigV4 over form bodies and query strings.
 */

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface XmlReply {
  status: number;
  type: string | null;
  requestId: string | null;
  xml: string;
}

const form = (params: Record<string, string>): string => new URLSearchParams(params).toString();

async function reply(res: Response): Promise<XmlReply> {
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    requestId: res.headers.get('x-amzn-requestid'),
    xml: await res.text(),
  };
}

/** A form POST of `params` to `path` of the server. */
async function post(
  server: TestServer,
  params: Record<string, string> | string,
  path = '/',
): Promise<XmlReply> {
  const body = typeof params === 'string' ? params : form(params);
  return reply(
    await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body,
    }),
  );
}

/** A GET with `params` in the query string. */
async function get(
  server: TestServer,
  params: Record<string, string>,
  path = '/',
): Promise<XmlReply> {
  return reply(await fetch(`${server.url}${path}?${form(params)}`));
}

/** `<ActionResponse>` of a successful call with `result` (XML) inside its `<ActionResult>` (none: no result element). */
const ok = (action: string, requestId: string, result?: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${XMLNS}">` +
  (result === undefined ? '' : `<${action}Result>${result}</${action}Result>`) +
  `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;

/** The `<ErrorResponse>` SQS answers a failure with. */
const failure = (type: string, code: string, message: string, requestId: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type>` +
  `<Code>${code}</Code><Message>${message}</Message><Detail/></Error>` +
  `<RequestId>${requestId}</RequestId></ErrorResponse>`;

describe('SQS query protocol: shapes', () => {
  it('answers every action the JSON protocol has, and no other', () => {
    expect([...SQS_QUERY_ACTIONS.keys()].sort()).toEqual([...SQS_OPERATIONS.keys()].sort());
  });

  it('creates with flattened attributes by GET, and lists with a repeated QueueUrl', async () => {
    t = await startTestServer();
    const created = await get(t, {
      Action: 'CreateQueue',
      Version: '2012-11-05',
      QueueName: 'wq',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '31',
      'Attribute.2.Name': 'DelaySeconds',
      'Attribute.2.Value': '0',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'a&b',
    });
    expect(created.status).toBe(200);
    expect(created.type).toBe('text/xml');
    const wq = `${t.url}/000000000000/wq`;
    expect(created.xml).toBe(ok('CreateQueue', created.requestId!, `<QueueUrl>${wq}</QueueUrl>`));
    await post(t, { Action: 'CreateQueue', QueueName: 'wq2' });
    const listed = await post(t, { Action: 'ListQueues', QueueNamePrefix: 'wq' });
    expect(listed.xml).toBe(
      ok('ListQueues', listed.requestId!, `<QueueUrl>${wq}</QueueUrl><QueueUrl>${wq}2</QueueUrl>`),
    );
    const attrs = await post(t, {
      Action: 'GetQueueAttributes',
      QueueUrl: wq,
      'AttributeName.1': 'VisibilityTimeout',
      'AttributeName.2': 'DelaySeconds',
    });
    expect(attrs.xml).toBe(
      ok(
        'GetQueueAttributes',
        attrs.requestId!,
        '<Attribute><Name>VisibilityTimeout</Name><Value>31</Value></Attribute>' +
          '<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>',
      ),
    );
    const tags = await get(t, { Action: 'ListQueueTags' }, '/000000000000/wq');
    expect(tags.xml).toBe(
      ok('ListQueueTags', tags.requestId!, '<Tag><Key>team</Key><Value>a&amp;b</Value></Tag>'),
    );
    const deleted = await post(t, { Action: 'DeleteQueue' }, '/000000000000/wq2');
    expect(deleted.xml).toBe(ok('DeleteQueue', deleted.requestId!));
  });

  it('takes the queue from the URL path, and escapes bodies and attributes exactly', async () => {
    t = await startTestServer();
    await post(t, { Action: 'CreateQueue', QueueName: 'esc' });
    const body = 'a\r\nb\rc <d> & ]]> "q" \'s\' \t é😀';
    const sent = await post(
      t,
      {
        Action: 'SendMessage',
        MessageBody: body,
        'MessageAttribute.1.Name': 'k',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': '<v>&',
        'MessageAttribute.2.Name': 'bin',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': 'AAEC',
      },
      '/000000000000/esc',
    );
    expect(sent.status).toBe(200);
    const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(sent.xml)![1]!;
    expect(sent.xml).toContain(`<MD5OfMessageBody>${md5(body)}</MD5OfMessageBody>`);

    const received = await get(
      t,
      { Action: 'ReceiveMessage', 'AttributeName.1': 'SenderId', 'MessageAttributeName.1': 'All' },
      '/000000000000/esc',
    );
    const escaped = 'a&#xD;\nb&#xD;c &lt;d&gt; &amp; ]]&gt; "q" \'s\' \t é😀';
    expect(received.xml).toContain(`<Message><MessageId>${messageId}</MessageId><ReceiptHandle>`);
    expect(received.xml).toContain(`<Body>${escaped}</Body>`);
    expect(received.xml).toContain(
      '<Attribute><Name>SenderId</Name><Value>000000000000</Value></Attribute>',
    );
    expect(received.xml).toContain(
      '<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>&lt;v&gt;&amp;</StringValue></Value></MessageAttribute>' +
        '<MessageAttribute><Name>bin</Name><Value><DataType>Binary</DataType><BinaryValue>AAEC</BinaryValue></Value></MessageAttribute>',
    );
    expect(received.xml).toMatch(/<\/MessageAttribute><\/Message><\/ReceiveMessageResult>/);
    // No messages: the result element is still there (clients look for it).
    const none = await post(t, { Action: 'ReceiveMessage', QueueUrl: '/000000000000/esc' });
    expect(none.xml).toBe(ok('ReceiveMessage', none.requestId!, ''));
  });

  it('lays out batch results: result entries and BatchResultErrorEntry', async () => {
    t = await startTestServer();
    await post(t, { Action: 'CreateQueue', QueueName: 'batch' });
    const sent = await post(
      t,
      {
        Action: 'SendMessageBatch',
        'SendMessageBatchRequestEntry.1.Id': 'ok',
        'SendMessageBatchRequestEntry.1.MessageBody': 'fine',
        'SendMessageBatchRequestEntry.2.Id': 'late',
        'SendMessageBatchRequestEntry.2.MessageBody': 'too late',
        'SendMessageBatchRequestEntry.2.DelaySeconds': '901',
      },
      '/000000000000/batch',
    );
    expect(sent.status).toBe(200);
    expect(sent.xml).toMatch(
      /<SendMessageBatchResult><SendMessageBatchResultEntry><Id>ok<\/Id><MessageId>[^<]+<\/MessageId><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><\/SendMessageBatchResultEntry>/,
    );
    expect(sent.xml).toMatch(
      /<BatchResultErrorEntry><Id>late<\/Id><SenderFault>true<\/SenderFault><Code>[A-Za-z.]+<\/Code><Message>[^<]+<\/Message><\/BatchResultErrorEntry><\/SendMessageBatchResult>/,
    );
    const empty = await post(t, 'Action=SendMessageBatch&Entries=', '/000000000000/batch');
    expect(empty.status).toBe(400);
    expect(empty.xml).toContain('<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>');
  });

  it('runs dead-letter move tasks (no query client knows them yet)', async () => {
    t = await startTestServer();
    await post(t, { Action: 'CreateQueue', QueueName: 'dlq' });
    const arn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
    await post(t, {
      Action: 'CreateQueue',
      QueueName: 'src',
      'Attribute.1.Name': 'RedrivePolicy',
      'Attribute.1.Value': JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }),
    });
    const sources = await post(t, { Action: 'ListDeadLetterSourceQueues' }, '/000000000000/dlq');
    expect(sources.xml).toBe(
      ok(
        'ListDeadLetterSourceQueues',
        sources.requestId!,
        `<QueueUrl>${t.url}/000000000000/src</QueueUrl>`,
      ),
    );
    const started = await post(t, { Action: 'StartMessageMoveTask', SourceArn: arn });
    expect(started.xml).toMatch(/<StartMessageMoveTaskResult><TaskHandle>[^<]+<\/TaskHandle>/);
    const listed = await post(t, {
      Action: 'ListMessageMoveTasks',
      SourceArn: arn,
      MaxResults: '10',
    });
    expect(listed.xml).toMatch(
      /<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry>.*<SourceArn>arn:aws:sqs:us-east-1:000000000000:dlq<\/SourceArn>.*<\/ListMessageMoveTasksResultEntry><\/ListMessageMoveTasksResult>/,
    );
  });
});

describe('SQS query protocol: errors', () => {
  it('answers ErrorResponse with the query code and fault the JSON protocol puts in x-amzn-query-error', async () => {
    t = await startTestServer();
    const missing = await get(t, { Action: 'GetQueueUrl', QueueName: 'nope' });
    expect(missing.status).toBe(400);
    expect(missing.type).toBe('text/xml');
    expect(missing.xml).toBe(
      failure(
        'Sender',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue nope does not exist.',
        missing.requestId!,
      ),
    );
    const json = await t.call('GetQueueUrl', { QueueName: 'nope' });
    expect(json.headers.get('x-amzn-query-error')).toBe(
      'AWS.SimpleQueueService.NonExistentQueue;Sender',
    );

    await post(t, { Action: 'CreateQueue', QueueName: 'e' });
    const handle = await post(
      t,
      { Action: 'DeleteMessage', ReceiptHandle: 'garbage' },
      '/000000000000/e',
    );
    expect(handle.status).toBe(404);
    expect(handle.xml).toContain('<Type>Sender</Type><Code>ReceiptHandleIsInvalid</Code>');
  });

  it('refuses unknown and missing actions, bad integers, map entries without a key and bytes that are not UTF-8', async () => {
    t = await startTestServer();
    const unknown = await post(t, { Action: 'DropAllTables' });
    expect(unknown.status).toBe(400);
    expect(unknown.xml).toContain(
      '<Code>InvalidAction</Code><Message>The action DropAllTables is not valid for this endpoint.</Message>',
    );
    const none = await post(t, { QueueName: 'x' });
    expect(none.xml).toContain('<Code>InvalidAction</Code>');
    await post(t, { Action: 'CreateQueue', QueueName: 'v' });
    const badInt = await post(
      t,
      { Action: 'SendMessage', MessageBody: 'x', DelaySeconds: 'soon' },
      '/000000000000/v',
    );
    expect(badInt.status).toBe(400);
    expect(badInt.xml).toContain(
      '<Code>InvalidParameterValue</Code><Message>Value for parameter DelaySeconds is invalid. Reason: must be an integer.</Message>',
    );
    const noName = await post(t, {
      Action: 'SetQueueAttributes',
      QueueUrl: '/000000000000/v',
      'Attribute.1.Value': '5',
    });
    expect(noName.xml).toContain(
      '<Code>MissingParameter</Code><Message>The request must contain the parameter Attribute.1.Name.</Message>',
    );
    const notUtf8 = await post(t, 'Action=SendMessage&MessageBody=%FF%FE', '/000000000000/v');
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.xml).toContain('<Code>InvalidMessageContents</Code>');
  });

  it('leaves GETs without an Action to the other routes', async () => {
    t = await startTestServer();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const other = await fetch(`${t.url}/000000000000/q`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { message: string }).message).toContain('Action=');
  });
});

describe('SQS query protocol: SigV4', () => {
  const signed = (
    server: TestServer,
    method: 'GET' | 'POST',
    path: string,
    body: string,
    key = TEST_CREDENTIALS,
  ): Promise<Response> => {
    const url = `${server.url}${path}`;
    const host = new URL(url).host;
    const headers = signForTest({
      url,
      method,
      headers: method === 'POST' ? { host, 'content-type': FORM } : { host },
      body,
      key,
      service: 'sqs',
    });
    return fetch(url, method === 'POST' ? { method, headers, body } : { method, headers });
  };

  it('accepts signed form bodies and signed query strings, and refuses the rest in XML', async () => {
    t = await startTestServer({ credentials: [TEST_CREDENTIALS] });
    const create = await reply(
      await signed(t, 'POST', '/', form({ Action: 'CreateQueue', QueueName: 'auth' })),
    );
    expect(create.status).toBe(200);
    const list = await reply(await signed(t, 'GET', `/?${form({ Action: 'ListQueues' })}`, ''));
    expect(list.xml).toContain(`<QueueUrl>${t.url}/000000000000/auth</QueueUrl>`);
    const toQueue = await reply(
      await signed(
        t,
        'POST',
        '/000000000000/auth',
        form({ Action: 'SendMessage', MessageBody: 'hi' }),
      ),
    );
    expect(toQueue.status).toBe(200);

    const unsigned = await get(t, { Action: 'ListQueues' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.xml).toContain('<Type>Sender</Type><Code>MissingAuthenticationToken</Code>');
    const wrong = await reply(
      await signed(t, 'GET', `/?${form({ Action: 'ListQueues' })}`, '', {
        ...TEST_CREDENTIALS,
        secretAccessKey: 'wrong',
      }),
    );
    expect(wrong.status).toBe(403);
    expect(wrong.xml).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
