/**
 * QueueUrls (issue 14): without a public URL they name the host each client connected to (its
 * Host header, as ElasticMQ and LocalStack do); with `publicUrl` every one uses that origin.
 * Region and account come from the Ballast.
 */
import { request } from 'node:http';
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const start = async (options: Parameters<typeof startTestServer>[0] = {}) => {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
};

/** A raw SQS call with its own Host header (fetch cannot set one). */
function callWithHost(port: number, host: string, operation: string, body: unknown) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${operation}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('QueueUrls', () => {
  it('follow the Host each client used, with the Ballast region and account', async () => {
    const t = await start({ ballastOptions: { accountId: '123456789012', region: 'eu-west-1' } });
    const { port } = t.server;
    const byName = t.newClient({ endpoint: `http://localhost:${port}`, region: 'eu-west-1' });
    const created = await byName.send(new CreateQueueCommand({ QueueName: 'hosted' }));
    expect(created.QueueUrl).toBe(`http://localhost:${port}/123456789012/hosted`);
    expect((await t.client.send(new GetQueueUrlCommand({ QueueName: 'hosted' }))).QueueUrl).toBe(
      `http://127.0.0.1:${port}/123456789012/hosted`,
    );
    const viaProxyName = await callWithHost(port, 'queues.internal:8080', 'ListQueues', {});
    expect(viaProxyName.status).toBe(200);
    expect(viaProxyName.body.QueueUrls).toEqual([
      'http://queues.internal:8080/123456789012/hosted',
    ]);
  });

  it('all use publicUrl when it is set, whatever the Host', async () => {
    const t = await start({ publicUrl: 'https://sqs.example.com/' });
    expect(t.url).toBe('https://sqs.example.com');
    const local = t.newClient({ endpoint: `http://127.0.0.1:${t.server.port}` });
    const created = await local.send(new CreateQueueCommand({ QueueName: 'public' }));
    expect(created.QueueUrl).toBe('https://sqs.example.com/000000000000/public');
    expect((await local.send(new ListQueuesCommand({}))).QueueUrls).toEqual([
      'https://sqs.example.com/000000000000/public',
    ]);
    const other = await callWithHost(t.server.port, 'elsewhere:1', 'ListQueues', {});
    expect(other.body.QueueUrls).toEqual(['https://sqs.example.com/000000000000/public']);
  });

  it('name a usable address for a wildcard bind: the server URL is loopback, a client gets its own host', async () => {
    const t = await start({ host: '0.0.0.0' });
    expect(t.server.address.address).toBe('0.0.0.0');
    expect(t.url).toBe(`http://127.0.0.1:${t.server.port}`);
    const created = await t.client.send(new CreateQueueCommand({ QueueName: 'wild' }));
    expect(created.QueueUrl).toBe(`http://127.0.0.1:${t.server.port}/000000000000/wild`);
  });
});
