import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  clientEnv,
  DEBIAN_PYTHON,
  describeLegacyClients,
  run,
} from '../../helpers/legacy-clients.js';
import { startTestServer, type TestServer } from '../helpers.js';

/*
 * Debian 12's boto3 1.26 speaks SQS's query protocol. boto3_scenario.py drives the whole surface
 * (queues, tags, sends and receives with their MD5s checked, batches, a dead-letter redrive,
 * FIFO, modeled errors) against a server that requires SigV4, and prints what it saw.
 */

const KEY = { accessKeyId: 'AKIDQUERY', secretAccessKey: 'query-secret' };
const SCRIPT = fileURLToPath(new URL('./boto3_scenario.py', import.meta.url));

describeLegacyClients('SQS query protocol: boto3 1.26 (/usr/bin/python3)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ credentials: [KEY] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the scenario: every assertion in it passes, MD5s included', async () => {
    const r = await run(DEBIAN_PYTHON, [SCRIPT, t.url], clientEnv(KEY));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(seen.boto3).toMatch(/^1\.26\./);
    expect(seen.body).toBe(
      'crlf\r\nlone cr\r tab\t <tag attr="x"> &amp; ]]> \u00e9\u4e2d\u{1F600}',
    );
    expect(seen.binary).toEqual([0, 1, 2, 3]);
    expect(seen.dlqSources).toEqual([`${t.url}/000000000000/py-src`]);
    expect(seen.missingCode).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(seen.missingStatus).toBe(400);
    expect(seen.emptyBatchCode).toBe('AWS.SimpleQueueService.EmptyBatchRequest');
    expect(seen.left).toEqual([]);
  });

  it('fails cleanly with a wrong secret: SignatureDoesNotMatch from the XML error', async () => {
    const r = await run(
      DEBIAN_PYTHON,
      [
        '-c',
        [
          'import sys, boto3',
          'from botocore.exceptions import ClientError',
          'c = boto3.client("sqs", endpoint_url=sys.argv[1])',
          'try:',
          '    c.list_queues()',
          'except ClientError as e:',
          '    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])',
        ].join('\n'),
        t.url,
      ],
      clientEnv({ ...KEY, secretAccessKey: 'wrong' }),
    );
    expect(r.stdout.trim()).toBe('SignatureDoesNotMatch 403');
  });
});
