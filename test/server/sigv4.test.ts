import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySigV4 } from '../../src/server/index.js';
import {
  errorSummary,
  rejection,
  startTestServer,
  TEST_CREDENTIALS,
  type TestServer,
} from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    credentials: [{ accessKeyId: 'OTHERKEY', secretAccessKey: 'other' }, TEST_CREDENTIALS],
  });
});
afterAll(() => t.close());

describe('SigV4 verification when credentials are configured', () => {
  it('accepts a request the real SDK signed with a configured key (any region)', async () => {
    const { QueueUrl } = await t.client.send(new CreateQueueCommand({ QueueName: 'signed' }));
    expect(QueueUrl).toBe(`${t.url}/000000000000/signed`);
    const eu = t.newClient({ region: 'eu-west-1' });
    expect((await eu.send(new ListQueuesCommand({}))).QueueUrls).toEqual([QueueUrl]);
  });

  it('refuses a wrong secret (SignatureDoesNotMatch, 403) or an unknown key (InvalidClientTokenId, 403)', async () => {
    const wrongSecret = t.newClient({
      credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' },
    });
    const e = await rejection(wrongSecret.send(new ListQueuesCommand({})));
    expect(errorSummary(e)).toEqual({
      name: 'SignatureDoesNotMatch',
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(e.message).toContain('signature');
    const unknown = t.newClient({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } });
    expect(errorSummary(await rejection(unknown.send(new ListQueuesCommand({}))))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });

  it('refuses a signature outside the ±15 min clock skew', async () => {
    const late = t.newClient({ systemClockOffset: -20 * 60 * 1000 });
    const e = await rejection(late.send(new ListQueuesCommand({})));
    expect(errorSummary(e)).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(e.message).toContain('expired');
  });

  it('refuses an unsigned request with MissingAuthenticationToken (403), a malformed one with IncompleteSignature (400); /healthz needs no signature', async () => {
    const raw = await t.call('ListQueues', {});
    expect(raw.status).toBe(403);
    expect(raw.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    expect(raw.body.__type).toBe('com.amazon.coral.service#MissingAuthenticationToken');
    const forged = await t.call(
      'ListQueues',
      {},
      { headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } },
    );
    expect(forged.status).toBe(400);
    expect(forged.body.__type).toBe('com.amazon.coral.service#IncompleteSignature');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('verifySigV4 (the algorithm, on the AWS documentation example)', () => {
  // "Create a signed AWS API request", IAM ListUsers, 2015-08-30.
  const example = () => ({
    method: 'GET',
    url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
    headers: new Headers({
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host: 'iam.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    }),
    body: new Uint8Array(0),
  });
  const policy = {
    credentials: [
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    ],
    service: 'iam',
    maxClockSkewSeconds: 900,
    now: Date.UTC(2015, 7, 30, 12, 40),
  };

  it('computes the documented signature', () => {
    expect(verifySigV4(example(), policy)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      region: 'us-east-1',
    });
  });

  it('rejects a changed query, body or signed header, a wrong service, and a stale date', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(
      code(() =>
        verifySigV4(
          { ...example(), url: 'https://iam.amazonaws.com/?Action=DeleteUser&Version=2010-05-08' },
          policy,
        ),
      ),
    ).toBe('SignatureDoesNotMatch');
    expect(
      code(() => verifySigV4({ ...example(), body: new TextEncoder().encode('x') }, policy)),
    ).toBe('SignatureDoesNotMatch');
    const headers = example().headers;
    headers.set('content-type', 'application/json');
    expect(code(() => verifySigV4({ ...example(), headers }, policy))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(code(() => verifySigV4(example(), { ...policy, service: 'sqs' }))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(
      code(() => verifySigV4(example(), { ...policy, now: Date.UTC(2015, 7, 30, 13, 0) })),
    ).toBe('SignatureDoesNotMatch');
  });
});
