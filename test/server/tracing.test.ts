import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installTracing, parentOf, spanNamed, type TestTracing } from '../helpers/otel.js';
import { rejection, startTestServer, type TestServer } from './helpers.js';

let tracing: TestTracing;
let t: TestServer;
const lines: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
const at =
  (level: string) =>
  (obj: object, msg?: string): void =>
    void lines.push({ level, obj: obj as Record<string, unknown>, msg });

beforeAll(async () => {
  tracing = installTracing();
  t = await startTestServer({
    logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
  });
});
afterAll(async () => {
  await t.close();
  await tracing.close();
});
afterEach(() => {
  tracing.reset();
  lines.length = 0;
});

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('server spans', () => {
  it('an AWS SDK call is a SERVER span named by service and operation, under the caller’s traceparent; the send nests in it', async () => {
    const { QueueUrl } = await t.client.send(new CreateQueueCommand({ QueueName: 'traced' }));
    const client = t.newClient();
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers.traceparent = `00-${CALLER_TRACE}-00f067aa0ba902b7-01`;
        return next(args);
      },
      { step: 'build', name: 'traceparent' },
    );
    tracing.reset();
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const spans = tracing.spans();
    const server = spanNamed(spans, 'SQS/SendMessage');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes).toMatchObject({
      'rpc.system': 'aws-api',
      'rpc.service': 'SQS',
      'rpc.method': 'SendMessage',
      'http.response.status_code': 200,
      'ballast.resource': 'traced',
    });
    expect(server.spanContext().traceId).toBe(CALLER_TRACE);
    expect(parentOf(server)).toBe('00f067aa0ba902b7');
    const send = spanNamed(spans, 'send traced');
    expect(parentOf(send)).toBe(server.spanContext().spanId);
    // The message carries the send span: a client asking for AWSTraceHeader gets it.
    const { Messages } = await t.client.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['AWSTraceHeader'] }),
    );
    expect(Messages?.[0]?.Attributes?.AWSTraceHeader).toBe(
      `Root=1-${CALLER_TRACE.slice(0, 8)}-${CALLER_TRACE.slice(8)};Parent=${send.spanContext().spanId};Sampled=1`,
    );
  });

  it('a refused call is marked with its error code; a 4xx is not a span error', async () => {
    await rejection(
      t.client.send(
        new SendMessageCommand({ QueueUrl: `${t.url}/000000000000/nope`, MessageBody: 'x' }),
      ),
    );
    const server = spanNamed(tracing.spans(), 'SQS/SendMessage');
    expect(server.attributes['error.type']).toBe('QueueDoesNotExist');
    expect(server.attributes['http.response.status_code']).toBe(400);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('request logs', () => {
  it('one debug line per request (operation, queue, status, ms, request id); a 4xx also at info with its code', async () => {
    const { QueueUrl } = await t.client.send(new CreateQueueCommand({ QueueName: 'logs' }));
    await t.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await rejection(
      t.client.send(new SendMessageCommand({ QueueUrl: `${QueueUrl}-gone`, MessageBody: 'x' })),
    );
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => l.level)).toEqual(['debug', 'debug', 'debug']);
    expect(requests[1]?.obj).toMatchObject({
      operation: 'SendMessage',
      resource: 'logs',
      status: 200,
      ms: expect.any(Number),
      requestId: expect.any(String),
    });
    expect(requests[2]?.obj).toMatchObject({ status: 400, code: 'QueueDoesNotExist' });
    const rejected = lines.find((l) => l.msg === 'request rejected');
    expect(rejected?.level).toBe('info');
    expect(rejected?.obj).toMatchObject({
      code: 'QueueDoesNotExist',
      operation: 'SendMessage',
      resource: 'logs-gone',
      requestId: requests[2]?.obj.requestId,
    });
  });
});
