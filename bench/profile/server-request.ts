/**
 * Per-request cost of the Ballast server: sequential SendMessage through @aws-sdk/client-sqs vs
 * the same JSON 1.0 request over a bare keep-alive http.request, against the benchmark's server
 * child on SQLite. Usage: npx tsx bench/profile/server-request.ts [count]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { percentile } from '../queue/workload.js';
import { ROOT } from '../queue/versions.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const count = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'ballast-srvreq-'));
const storeUrl = process.argv[3] ?? `sqlite:${join(dir, 'x.db')}`;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(ROOT, 'bench/queue/server-child.ts'), storeUrl],
  {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve) =>
  child.stdout!.once('data', (d: Buffer) =>
    resolve((JSON.parse(d.toString()) as { url: string }).url),
  ),
);
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const sqs = new SQSClient({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  requestHandler: { httpAgent: agent },
});
const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'req' }));
const body = JSON.stringify({ seq: 1, t: 0, pad: 'x'.repeat(170) });

const raw = (target: string, payload: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: '/',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${target}`,
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

const time = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
  for (let i = 0; i < 100; i++) await fn();
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label.padEnd(40)} ${Math.round((count * 1000) / wall)}/s  p50 ${percentile(ms, 50).toFixed(2)} ms  p99 ${percentile(ms, 99).toFixed(2)} ms  client CPU ${((cpu.user + cpu.system) / 1000 / count).toFixed(3)} ms/request`,
  );
};
await time('SDK SendMessage (sequential)', () =>
  sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body })),
);
await time('raw HTTP SendMessage (sequential)', () =>
  raw('SendMessage', JSON.stringify({ QueueUrl, MessageBody: body })),
);
await time('raw HTTP GetQueueUrl (no store write)', () =>
  raw('GetQueueUrl', JSON.stringify({ QueueName: 'req' })),
);
await time('raw HTTP ListQueues (no store write)', () => raw('ListQueues', '{}'));

sqs.destroy();
agent.destroy();
child.stdin!.end();
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });
