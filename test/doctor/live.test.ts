import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Finding } from '../../src/doctor/finding.js';
import { readServerTopology } from '../../src/doctor/live/read-server.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../server/helpers.js';
import { capture } from './helpers.js';

const arn = (queue: string): string => `arn:aws:sqs:us-east-1:000000000000:${queue}`;
const dir = mkdtempSync(join(tmpdir(), 'ballast-doctor-live-'));

/** What the file declares: a consumer of "jobs" whose handler runs up to 60 s, and the queue with a 300 s visibility (the server says otherwise). */
const topologyFile = join(dir, 'jobs.json');
writeFileSync(
  topologyFile,
  JSON.stringify({
    queues: [{ name: 'jobs', visibilityTimeoutSeconds: 300 }],
    consumers: [{ name: 'worker', queue: 'jobs', idempotent: true, handlerTimeoutSeconds: 60 }],
  }),
);

/** Creates, over the wire: "orders" (no DLQ), "jobs" (DLQ jobs-dlq, visibility 10 s), rule "order-placed" → orders, no DLQ. */
async function populate(t: TestServer): Promise<void> {
  await t.client.send(new CreateQueueCommand({ QueueName: 'orders' }));
  await t.client.send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }));
  await t.client.send(
    new CreateQueueCommand({
      QueueName: 'jobs',
      Attributes: {
        VisibilityTimeout: '10',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('jobs-dlq'), maxReceiveCount: 3 }),
      },
    }),
  );
  const eb = new EventBridgeClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    await eb.send(
      new PutRuleCommand({
        Name: 'order-placed',
        EventPattern: JSON.stringify({ source: ['shop'] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'order-placed',
        Targets: [
          { Id: 'to-orders', Arn: arn('orders'), RetryPolicy: { MaximumRetryAttempts: 4 } },
        ],
      }),
    );
  } finally {
    eb.destroy();
  }
}

async function doctor(
  ...argv: string[]
): Promise<{ code: number; findings: Finding[]; stderr: string[] }> {
  const io = capture();
  const code = await main(['doctor', ...argv, '--json'], io);
  const body =
    io.stdout.length > 0 ? (JSON.parse(io.stdout.join('\n')) as { findings?: Finding[] }) : {};
  return { code, findings: body.findings ?? [], stderr: io.stderr };
}

const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.id} @ ${f.place}`);

describe('ballast doctor --server (an in-process ballast serve on SQLite)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await populate(t);
  });
  afterAll(() => t.close());

  it("reads the server's queues, redrive policies, visibility timeouts, rules and targets", async () => {
    const live = await readServerTopology(t.url);
    expect(live.queues).toEqual(
      expect.arrayContaining([
        { name: 'orders', visibilityTimeoutSeconds: 30 },
        { name: 'jobs-dlq', visibilityTimeoutSeconds: 30 },
        {
          name: 'jobs',
          visibilityTimeoutSeconds: 10,
          deadLetter: { queue: 'jobs-dlq', maxReceiveCount: 3 },
        },
      ]),
    );
    expect(live.rules).toEqual([
      {
        name: 'order-placed',
        bus: 'default',
        targets: [{ id: 'to-orders', kind: 'queue', name: 'orders', maximumRetryAttempts: 4 }],
      },
    ]);
  });

  it('alone, checks every server queue for a DLQ and every target for one', async () => {
    const { code, findings } = await doctor('--server', t.url);
    expect(summary(findings)).toEqual([
      'REL04-BP02/queue-no-dlq @ server queue "orders"',
      'REL04-BP02/target-no-dlq @ server rule "default/order-placed" target "to-orders" (→ queue "orders")',
    ]);
    expect(findings[1]?.message).toContain('after 4 retries');
    // Both are medium: below the default --fail-on high.
    expect(code).toBe(0);
    expect((await doctor('--server', t.url, '--fail-on', 'medium')).code).toBe(1);
  });

  it("with a file, gives the file's queues the server's settings: a 10 s visibility under a 60 s handler", async () => {
    const { code, findings } = await doctor(topologyFile, '--server', t.url);
    expect(summary(findings)).toEqual([
      'REL04-BP02/visibility-below-handler @ consumers[0] "worker"',
      'REL04-BP02/queue-no-dlq @ server queue "orders"',
      'REL04-BP02/target-no-dlq @ server rule "default/order-placed" target "to-orders" (→ queue "orders")',
    ]);
    expect(findings[0]?.message).toContain(
      'is 10 seconds, shorter than the handler timeout of "worker" (60 seconds)',
    );
    expect(code).toBe(1);
  });

  it('without the server, the same file has nothing to say about the queue (its own visibility fits)', async () => {
    const io = capture();
    expect(await main(['doctor', topologyFile], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('REL04-BP02/queue-no-dlq');
    expect(io.stdout.join('\n')).not.toContain('visibility-below-handler');
  });

  it('lets the file name queues only the server has', async () => {
    const file = join(dir, 'orders-consumer.json');
    writeFileSync(
      file,
      JSON.stringify({
        consumers: [{ name: 'shipper', queue: 'orders', handlerTimeoutSeconds: 5 }],
      }),
    );
    const { findings } = await doctor(file, '--server', t.url);
    expect(summary(findings)).toContain(
      'REL04-BP04/consumer-not-idempotent @ consumers[0] "shipper"',
    );
    const alone = await doctor(file);
    expect(alone.code).toBe(2);
  });
});

describe('ballast doctor --server against a server that checks signatures', () => {
  let t: TestServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    t = await startTestServer({ credentials: [TEST_CREDENTIALS] });
    await t.client.send(new CreateQueueCommand({ QueueName: 'signed' }));
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  afterAll(() => t.close());

  it('refuses unsigned reads with exit 2 and says which variables to set', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const { code, stderr } = await doctor('--server', t.url);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toMatch(
      /cannot read the server .*\(ListQueues\): MissingAuthenticationToken: .*AWS_ACCESS_KEY_ID/,
    );
  });

  it('signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', async () => {
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    const { code, findings } = await doctor('--server', t.url);
    expect(code).toBe(0);
    expect(summary(findings)).toEqual(['REL04-BP02/queue-no-dlq @ server queue "signed"']);
  });

  it('answers a wrong secret with exit 2', async () => {
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong';
    const { code, stderr } = await doctor('--server', t.url);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toContain('SignatureDoesNotMatch');
  });
});

describe('ballast doctor --server with nothing listening', () => {
  it('exits 2 naming the server', async () => {
    const { code, stderr } = await doctor('--server', 'http://127.0.0.1:9');
    expect(code).toBe(2);
    expect(stderr.join('\n')).toContain('cannot read the server http://127.0.0.1:9 (ListQueues)');
  });

  it('refuses a URL that is not http(s)', async () => {
    const { code, stderr } = await doctor('--server', 'ftp://x');
    expect(code).toBe(2);
    expect(stderr.join('\n')).toContain('--server must be an http:// or https:// URL');
  });
});
