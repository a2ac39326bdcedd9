import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { BenchQueue, Payload, QueueSystem, RunningConsumer } from '../types.js';
import { bounded, chunks } from '../workload.js';
import { ballastVersion, packageVersion, ROOT } from '../versions.js';
import { sqliteVersion } from './ballast-sqlite.js';

/** SendMessageBatch calls (of 10) in flight during a bulk enqueue. */
const BATCHES_IN_FLIGHT = 16;
/** Longest wait for the child to print its URL, ms. */
const START_TIMEOUT_MS = 30_000;

const CHILD = join(ROOT, 'bench', 'queue', 'server-child.ts');

/** Starts the server child on `storeUrl`; resolves with its URL. */
function startChild(storeUrl: string): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_SERVER_NODE_ARGS adds flags for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof-server".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--import', 'tsx', ...extra, CHILD, storeUrl], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`server child did not start within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`),
      );
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve({ child, url: (JSON.parse(line) as { url: string }).url });
        } catch {
          reject(new Error(`server child printed ${line}`));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `server child exited with ${code}: ${stderr.trim().split('\n').slice(0, 5).join(' | ')}`,
        ),
      );
    });
  });
}

/** Closes the child's stdin (its signal to shut down) and waits for it to exit. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin!.end();
  });
}

/** The Ballast server (SQS JSON protocol) on SQLite in a child process, driven through @aws-sdk/client-sqs. */
export const ballastServer: QueueSystem = {
  id: 'ballast-server',
  async facts() {
    if (!existsSync(join(ROOT, 'src', 'server', 'serve.ts')))
      throw new Error('src/server/serve.ts does not exist yet');
    const sqlite = sqliteVersion();
    return {
      label: `Ballast ${ballastVersion()} server on SQLite ${sqlite}, via @aws-sdk/client-sqs ${packageVersion('@aws-sdk/client-sqs')}`,
      versions: {
        ballast: ballastVersion(),
        sqlite,
        '@aws-sdk/client-sqs': packageVersion('@aws-sdk/client-sqs'),
      },
      durability:
        'Sends durable per ack: an HTTP 200 to SendMessage(Batch) is sent after the SQLite commit and the WAL fdatasync; DeleteMessageBatch answers at commit (survives kill -9; a power loss can only bring deleted messages back).',
      bulkMethod: `\`SendMessageBatch\` of 10 entries, ${BATCHES_IN_FLIGHT} requests in flight`,
      consumeMethod:
        '10 workers, each looping `ReceiveMessage(MaxNumberOfMessages 10, WaitTimeSeconds 1)` → handler per message → `DeleteMessageBatch` (so up to 100 messages in flight); done = `GetQueueAttributes` shows 0 visible, 0 not visible, 0 delayed',
      notes: [
        'The server runs in a child process (`node --import tsx bench/queue/server-child.ts`), so client and server each have an event loop (the machine has 2 cores for client, server and databases).',
        'The client is @aws-sdk/client-sqs with a keep-alive agent (64 sockets); the SDK checks MD5 of sent and received bodies, as it does by default.',
        'The server child opens Ballast with `statsTtlMs: 0` so that `GetQueueAttributes` (the "all done" probe) counts live instead of reusing counts for up to 1 s; no other option differs from the defaults.',
      ],
    };
  },
  async open(run) {
    // The SDK warns once that its 2027 releases will need Node 22; the benchmark output is not the place.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const dir = mkdtempSync(join(tmpdir(), `ballast-bench-server-${run}-`));
    const { child, url } = await startChild(`sqlite:${join(dir, 'bench.db')}`).catch(
      (error: unknown) => {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const sqs = new SQSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      requestHandler: { httpAgent: agent },
      maxAttempts: 1,
    });
    return {
      async queue(phase) {
        const created = await sqs.send(
          new CreateQueueCommand({
            QueueName: `bench-${phase}`,
            Attributes: { VisibilityTimeout: '30' },
          }),
        );
        const QueueUrl = created.QueueUrl!;
        const q: BenchQueue = {
          async send(p: Payload) {
            await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(p) }));
          },
          async sendBulk(payloads: Payload[]) {
            const batches = chunks(payloads, 10);
            await bounded(batches.length, BATCHES_IN_FLIGHT, async (i) => {
              const r = await sqs.send(
                new SendMessageBatchCommand({
                  QueueUrl,
                  Entries: batches[i]!.map((p, j) => ({
                    Id: String(j),
                    MessageBody: JSON.stringify(p),
                  })),
                }),
              );
              if (r.Failed && r.Failed.length > 0)
                throw new Error(`SendMessageBatch failed: ${JSON.stringify(r.Failed[0])}`);
            });
          },
          async consume(handler, concurrency): Promise<RunningConsumer> {
            const abort = new AbortController();
            const worker = async (): Promise<void> => {
              while (!abort.signal.aborted) {
                try {
                  const r = await sqs.send(
                    new ReceiveMessageCommand({
                      QueueUrl,
                      MaxNumberOfMessages: 10,
                      WaitTimeSeconds: 1,
                    }),
                    {
                      abortSignal: abort.signal,
                    },
                  );
                  const messages = r.Messages ?? [];
                  if (messages.length === 0) continue;
                  for (const m of messages) handler(JSON.parse(m.Body!) as Payload);
                  const d = await sqs.send(
                    new DeleteMessageBatchCommand({
                      QueueUrl,
                      Entries: messages.map((m, i) => ({
                        Id: String(i),
                        ReceiptHandle: m.ReceiptHandle!,
                      })),
                    }),
                  );
                  if (d.Failed && d.Failed.length > 0)
                    console.error(`DeleteMessageBatch failed: ${JSON.stringify(d.Failed[0])}`);
                } catch (error) {
                  if (abort.signal.aborted) return;
                  console.error(`ballast-server worker: ${(error as Error).message}`);
                }
              }
            };
            const loops = Array.from({ length: concurrency }, worker);
            return {
              async stop() {
                abort.abort();
                await Promise.all(loops);
              },
            };
          },
          async remaining() {
            const r = await sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl,
                AttributeNames: [
                  'ApproximateNumberOfMessages',
                  'ApproximateNumberOfMessagesNotVisible',
                  'ApproximateNumberOfMessagesDelayed',
                ],
              }),
            );
            const a = r.Attributes ?? {};
            return (
              Number(a.ApproximateNumberOfMessages ?? 0) +
              Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
              Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
            );
          },
          async dispose() {
            await sqs.send(new DeleteQueueCommand({ QueueUrl }));
          },
        };
        return q;
      },
      async close() {
        sqs.destroy();
        agent.destroy();
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
