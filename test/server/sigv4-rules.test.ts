/**
 * SigV4 as strict as AWS's (issue 12, item 6): the payload hash must match the body, and the
 * signature must cover `host`, `x-amz-target` and `content-type`, so a captured request can be
 * replayed (within the 15-minute window) only as itself — never as another operation or body.
 * Failures use AWS's codes, in each protocol's own error shape.
 */
import { createHash } from 'node:crypto';
import {
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorSummary,
  rejection,
  startTestServer,
  TEST_CREDENTIALS,
  type TestServer,
} from './helpers.js';
import { signForTest } from './sign.js';

let t: TestServer;
let queueUrl: string;
const ebClients: EventBridgeClient[] = [];

beforeAll(async () => {
  t = await startTestServer({ credentials: [TEST_CREDENTIALS] });
  queueUrl = (await t.client.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
});
afterAll(async () => {
  for (const c of ebClients) c.destroy();
  await t.close();
});

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const host = (): string => new URL(t.url).host;

/** A request exactly as an SDK client signed and sent it. */
interface Captured {
  headers: Record<string, string>;
  body: string;
}

/** Records every request `client` sends, after signing (the deserialize step sees the final request). */
function capture(client: SQSClient | EventBridgeClient): Captured[] {
  const seen: Captured[] = [];
  const stack = client.middlewareStack as unknown as {
    add(
      mw: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      opts: object,
    ): void;
  };
  stack.add(
    (next) => async (args) => {
      const req = args.request as { headers: Record<string, string>; body: unknown };
      seen.push({ headers: { ...req.headers }, body: String(req.body) });
      return next(args);
    },
    { step: 'deserialize', name: 'captureSignedRequest' },
  );
  return seen;
}

/** Sends a captured request again, optionally changed; `fetch` sets Host and Content-Length itself. */
async function replay(
  c: Captured,
  change: { target?: string; body?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers = { ...c.headers };
  delete headers.host;
  delete headers['content-length'];
  if (change.target !== undefined) headers['x-amz-target'] = change.target;
  const res = await fetch(`${t.url}/`, { method: 'POST', headers, body: change.body ?? c.body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** A hand-signed request (see sign.ts): choose what the signature covers. */
async function signedCall(
  target: string,
  body: string,
  opts: {
    signed?: string[];
    payloadHash?: string;
    extra?: Record<string, string>;
    sendBody?: string;
    service?: string;
    contentType?: string;
  } = {},
) {
  const headers = signForTest({
    url: `${t.url}/`,
    headers: {
      host: host(),
      'content-type': opts.contentType ?? 'application/x-amz-json-1.0',
      'x-amz-target': target,
      ...opts.extra,
    },
    body,
    key: TEST_CREDENTIALS,
    service: opts.service ?? 'sqs',
    ...(opts.signed ? { signed: opts.signed } : {}),
    ...(opts.payloadHash ? { payloadHash: opts.payloadHash } : {}),
  });
  return replay({ headers, body: opts.sendBody ?? body });
}

const depth = async (): Promise<string | undefined> =>
  (
    await t.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    )
  ).Attributes?.ApproximateNumberOfMessages;

describe('a captured signed request replays only as itself', () => {
  it('a captured SendMessage replays unchanged, but not as a PurgeQueue (403 SignatureDoesNotMatch; the queue keeps its messages)', async () => {
    const client = t.newClient();
    const seen = capture(client);
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    const sent = seen.at(-1)!;
    expect((await replay(sent)).status).toBe(200);
    const before = await depth();
    const purge = await replay(sent, { target: 'AmazonSQS.PurgeQueue' });
    expect(purge.status).toBe(403);
    expect(purge.headers.get('x-amzn-query-error')).toBe('SignatureDoesNotMatch;Sender');
    expect(await depth()).toBe(before);
  });

  it('a captured SendMessage with another body is refused (403)', async () => {
    const client = t.newClient();
    const seen = capture(client);
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'two' }));
    const swapped = seen.at(-1)!.body.replace('"two"', '"owt"');
    expect((await replay(seen.at(-1)!, { body: swapped })).status).toBe(403);
  });

  it('a signature that does not cover X-Amz-Target is refused, so it cannot be replayed as PurgeQueue (403)', async () => {
    const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'three' });
    const before = await depth();
    const res = await signedCall('AmazonSQS.SendMessage', body, {
      signed: ['host', 'content-type'],
    });
    expect(res.status).toBe(403);
    expect(res.body.__type).toBe('com.amazon.coral.service#SignatureDoesNotMatch');
    expect(String(res.body.message)).toContain('x-amz-target');
    const purge = await replay(
      {
        headers: signForTest({
          url: `${t.url}/`,
          headers: {
            host: host(),
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'AmazonSQS.SendMessage',
          },
          body,
          key: TEST_CREDENTIALS,
          service: 'sqs',
          signed: ['host', 'content-type'],
        }),
        body,
      },
      { target: 'AmazonSQS.PurgeQueue' },
    );
    expect(purge.status).toBe(403);
    expect(await depth()).toBe(before);
  });

  it('a signature must cover host and, when sent, content-type', async () => {
    const body = JSON.stringify({});
    const noHost = await signedCall('AmazonSQS.ListQueues', body, {
      signed: ['content-type', 'x-amz-target'],
    });
    expect(noHost.status).toBe(403);
    expect(String(noHost.body.message)).toContain('host');
    const noType = await signedCall('AmazonSQS.ListQueues', body, {
      signed: ['host', 'x-amz-target'],
    });
    expect(noType.status).toBe(403);
    expect(String(noType.body.message)).toContain('content-type');
    // Everything covered: accepted (the hand signer agrees with the server).
    expect((await signedCall('AmazonSQS.ListQueues', body)).status).toBe(200);
  });
});

describe('the payload hash must be the hash of the body', () => {
  it('UNSIGNED-PAYLOAD is refused (403), so the body cannot be swapped under a valid signature', async () => {
    const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'signed' });
    const swapped = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'swapped' });
    const before = await depth();
    const res = await signedCall('AmazonSQS.SendMessage', body, {
      payloadHash: 'UNSIGNED-PAYLOAD',
      extra: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      sendBody: swapped,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-query-error')).toBe('SignatureDoesNotMatch;Sender');
    expect(String(res.body.message)).toContain('UNSIGNED-PAYLOAD');
    expect(await depth()).toBe(before);
  });

  it('an X-Amz-Content-Sha256 that is not the hash of the body is refused; the right one is accepted', async () => {
    const body = JSON.stringify({});
    const wrong = await signedCall('AmazonSQS.ListQueues', body, {
      extra: { 'x-amz-content-sha256': sha256('other') },
      payloadHash: sha256('other'),
    });
    expect(wrong.status).toBe(403);
    const right = await signedCall('AmazonSQS.ListQueues', body, {
      extra: { 'x-amz-content-sha256': sha256(body) },
    });
    expect(right.status).toBe(200);
  });
});

describe("AWS's error codes, in the SQS shape", () => {
  it('an unknown access key is InvalidClientTokenId (403); a wrong secret is SignatureDoesNotMatch (403)', async () => {
    const unknown = t.newClient({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } });
    expect(errorSummary(await rejection(unknown.send(new ListQueuesCommand({}))))).toEqual({
      name: 'InvalidClientTokenId',
      code: 'InvalidClientTokenId',
      status: 403,
    });
    const wrong = t.newClient({ credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' } });
    expect(errorSummary(await rejection(wrong.send(new ListQueuesCommand({}))))).toEqual({
      name: 'SignatureDoesNotMatch',
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('no Authorization is MissingAuthenticationToken (403); a malformed one is IncompleteSignature (400)', async () => {
    const unsigned = await t.call('ListQueues', {});
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    expect(unsigned.body.__type).toBe('com.amazon.coral.service#MissingAuthenticationToken');
    const garbage = await t.call(
      'ListQueues',
      {},
      { headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } },
    );
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('x-amzn-query-error')).toBe('IncompleteSignature;Sender');
  });

  it('a signature outside the 15-minute window is SignatureDoesNotMatch (403), which the SDK knows as a clock-skew error', async () => {
    const late = t.newClient({ systemClockOffset: -20 * 60 * 1000 });
    const e = await rejection(late.send(new ListQueuesCommand({})));
    expect(errorSummary(e)).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(e.message).toContain('expired');
  });
});

describe('the EventBridge path, with keys set', () => {
  const eb = (
    config: Partial<ConstructorParameters<typeof EventBridgeClient>[0]> = {},
  ): EventBridgeClient => {
    const c = new EventBridgeClient({
      endpoint: t.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      ...config,
    });
    ebClients.push(c);
    return c;
  };
  const sdkError = async (p: Promise<unknown>) => {
    const e = await rejection(p);
    return { name: e.name, status: (e.$metadata as { httpStatusCode?: number }).httpStatusCode };
  };

  it('the real SDK still works (signing name events)', async () => {
    const client = eb();
    expect(
      (
        await client.send(
          new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
        )
      ).FailedEntryCount,
    ).toBe(0);
    expect(
      (await client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["s"]}' })))
        .RuleArn,
    ).toContain('rule/r');
  });

  it('a captured PutRule replayed as DeleteRule is refused with InvalidSignatureException (403)', async () => {
    const client = eb();
    const seen = capture(client);
    await client.send(new PutRuleCommand({ Name: 'kept', EventPattern: '{"source":["s"]}' }));
    const res = await replay(seen.at(-1)!, { target: 'AWSEvents.DeleteRule' });
    expect(res.status).toBe(403);
    expect(res.body.__type).toBe('InvalidSignatureException');
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect((await client.send(new ListRulesCommand({ NamePrefix: 'kept' }))).Rules).toHaveLength(1);
  });

  it('UNSIGNED-PAYLOAD and unsigned X-Amz-Target are refused in the EventBridge shape', async () => {
    const body = JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] });
    const common = { service: 'events', contentType: 'application/x-amz-json-1.1' };
    const unsignedPayload = await signedCall('AWSEvents.PutEvents', body, {
      ...common,
      payloadHash: 'UNSIGNED-PAYLOAD',
      extra: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expect(unsignedPayload.status).toBe(403);
    expect(unsignedPayload.body.__type).toBe('InvalidSignatureException');
    const noTarget = await signedCall('AWSEvents.PutEvents', body, {
      ...common,
      signed: ['host', 'content-type'],
    });
    expect(noTarget.status).toBe(403);
    expect(noTarget.body.__type).toBe('InvalidSignatureException');
  });

  it('unknown key, wrong secret, no signature and a malformed one answer with the JSON 1.1 names', async () => {
    expect(
      await sdkError(
        eb({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } }).send(
          new ListRulesCommand({}),
        ),
      ),
    ).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    expect(
      await sdkError(
        eb({ credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' } }).send(
          new ListRulesCommand({}),
        ),
      ),
    ).toEqual({
      name: 'InvalidSignatureException',
      status: 403,
    });
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSEvents.ListRules',
    };
    const none = await fetch(`${t.url}/`, { method: 'POST', headers, body: '{}' });
    expect(none.status).toBe(403);
    expect(((await none.json()) as { __type: string }).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    const bad = await fetch(`${t.url}/`, {
      method: 'POST',
      headers: { ...headers, authorization: 'AWS4-HMAC-SHA256 nope' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { __type: string }).__type).toBe('IncompleteSignatureException');
  });
});
