import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { Ballast, BallastOptions } from '../../src/ballast.js';
import {
  type RunningServer,
  startServer,
  type StartServerOptions,
} from '../../src/server/index.js';
import { openTestBallast } from '../helpers/ballast.js';

/** A server on a random port over a fresh SQLite store, with a real SDK client pointed at it. */
export interface TestServer {
  ballast: Ballast;
  server: RunningServer;
  client: SQSClient;
  url: string;
  /** A client with other settings (same endpoint unless overridden). */
  newClient(config?: Partial<SQSClientConfig>): SQSClient;
  /** A raw SQS JSON call: returns status, headers and parsed body. */
  call(
    operation: string,
    body: unknown,
    init?: { headers?: Record<string, string>; raw?: string },
  ): Promise<RawResponse>;
  close(): Promise<void>;
}

/** What a raw call returns. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Dummy credentials the tests sign with. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** Starts a test server; `close()` stops clients, server and store. */
export async function startTestServer(
  options: Omit<StartServerOptions, 'ballast'> & {
    ballastOptions?: Omit<BallastOptions, 'store'>;
  } = {},
): Promise<TestServer> {
  const { ballastOptions, ...serverOptions } = options;
  const ballast = await openTestBallast(ballastOptions);
  const server = await startServer({ ballast, port: 0, ...serverOptions }).catch(
    async (error: unknown) => {
      // A server that refuses its options leaves the Ballast opened for it: close that here.
      await ballast.close();
      throw error;
    },
  );
  const clients: SQSClient[] = [];
  const newClient = (config: Partial<SQSClientConfig> = {}): SQSClient => {
    const c = new SQSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      ...config,
    });
    clients.push(c);
    return c;
  };
  const client = newClient();
  const call: TestServer['call'] = async (operation, body, init = {}) => {
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${operation}`,
        ...init.headers,
      },
      body: init.raw ?? JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  return {
    ballast,
    server,
    client,
    url: server.url,
    newClient,
    call,
    async close() {
      for (const c of clients) c.destroy();
      await server.close();
      await ballast.close();
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/** `err.name`, `err.Code` and the HTTP status of an SDK error, for one-line assertions. */
export function errorSummary(e: Error & Record<string, unknown>): {
  name: string;
  code: unknown;
  status: unknown;
} {
  const meta = e.$metadata as { httpStatusCode?: number } | undefined;
  return { name: e.name, code: e.Code, status: meta?.httpStatusCode };
}
