import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDbPath } from '../helpers/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const running: ChildProcess[] = [];

/** Starts `ballast serve` as a child process on a random port; resolves with its URL. */
function serve(store: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'serve', '--port', '0', '--store', store],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(proc);
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving SQS and EventBridge on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.on('exit', (code) => reject(new Error(`ballast serve exited ${code}: ${err}`)));
  });
}

const client = (endpoint: string) =>
  new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

describe('ballast serve (child process)', () => {
  it('serves the AWS SDK and shuts down cleanly on SIGTERM', async () => {
    const { url, proc } = await serve(`sqlite:${tempDbPath()}`);
    const sqs = client(url);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'e2e' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'über' }));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(['über']);
    sqs.destroy();
    const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});

describePg('two ballast serve processes on one PostgreSQL are one service', () => {
  it('a message sent through node A is received through node B, whose long poll is woken', async () => {
    const store = `${PG_URL}?schema=${freshSchema()}`;
    const a = await serve(store);
    const b = await serve(store);
    const [sqsA, sqsB] = [client(a.url), client(b.url)];
    await sqsA.send(new CreateQueueCommand({ QueueName: 'shared' }));
    const { QueueUrl } = await sqsB.send(new GetQueueUrlCommand({ QueueName: 'shared' }));
    const started = Date.now();
    const pending = sqsB.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    // Awaited below: a send still retrying when the test ends would fail once the nodes are killed.
    const sending = new Promise((r) => setTimeout(r, 300)).then(() =>
      sqsA.send(
        new SendMessageCommand({ QueueUrl: QueueUrl!.replace(b.url, a.url), MessageBody: 'hi' }),
      ),
    );
    const { Messages } = await pending;
    expect(Messages?.map((m) => m.Body)).toEqual(['hi']);
    // Node B's poll began after `started` and, finding nothing, would re-check only 5 s later:
    // an answer before then was a wake-up. The widest bound that still proves it leaves a
    // loaded machine the most slack.
    expect(Date.now() - started).toBeLessThan(4_950);
    await sending;
    sqsA.destroy();
    sqsB.destroy();
  }, 30_000);
});
