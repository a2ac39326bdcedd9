/**
 * A restarted `ballast serve` with a poison event in its inbox: it serves, dispatches the events
 * behind the poison, logs the parked event with its code (JSON lines on stderr), and counts the
 * events it dispatched at start-up in /metrics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { tempDbPath, waitFor } from '../helpers/ballast.js';
import { deepEvent, putRaw } from '../bus/poison.suite.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

it('a poison event in the inbox at start-up is parked and logged; the events behind it are delivered and counted', async () => {
  const store = `sqlite:${tempDbPath()}`;
  const seed = await openBallast({ store, retentionSweepMs: 0, bus: false });
  await seed.queues.create('sink');
  await seed.bus.putRule('by-status', {
    eventPattern: { source: ['shop'], detail: { status: ['paid'] } },
  });
  await seed.bus.putTargets('by-status', [{ id: 'q', arn: seed.queues.arn('sink') }]);
  const poison = await putRaw(seed, deepEvent(1_000));
  await seed.bus.putEvents(
    [1, 2, 3].map((n) => ({
      source: 'shop',
      detailType: 'T',
      detail: JSON.stringify({ status: 'paid', n }),
    })),
  );
  await seed.close();

  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'serve', '--port', '0', '--store', store],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.push(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(() => /serving SQS and EventBridge on http/.test(err), 20_000);
  const url = /serving SQS and EventBridge on (http:\/\/\S+)/.exec(err)![1]!;

  const sqs = new SQSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'sink' }));
  const got: number[] = [];
  await waitFor(async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) got.push((JSON.parse(m.Body!) as { detail: { n: number } }).detail.n);
    return got.length >= 3;
  }, 20_000);
  sqs.destroy();
  expect(got.sort()).toEqual([1, 2, 3]);

  await waitFor(() => err.includes('dispatch:parked'), 10_000);
  const line = err.split('\n').find((l) => l.includes('"dispatch:parked"'))!;
  expect(JSON.parse(line)).toMatchObject({
    level: 50,
    event: 'dispatch:parked',
    eventId: poison,
    code: 'ValidationException',
  });

  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/^ballast_events_parked_total 1$/m);
  expect(metrics).toMatch(/^ballast_events_dispatched_total 3$/m);
}, 60_000);
