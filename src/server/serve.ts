import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { createApp } from './app.js';
import { limitConnectionsPerClient } from './client-limit.js';
import { resolveServerLimits, type StartServerOptions } from './options.js';
import { originOf } from './protocols/sqs/queue-url.js';

/** A listening server. */
export interface RunningServer {
  /**
   * Origin clients use, e.g. `http://127.0.0.1:4566`: the public URL when one was given; for a
   * wildcard bind (`0.0.0.0`, `::`) the loopback address, since a wildcard is no address to connect to.
   */
  readonly url: string;
  /** Port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The socket address actually bound (`server.address()`): address, family and port. */
  readonly address: AddressInfo;
  /**
   * Stops accepting connections, ends in-flight long polls (they answer with no messages),
   * lets other requests finish for up to `closeTimeoutMs`, then cuts what is left. Idempotent.
   * Does not close the Ballast.
   */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * How often Node looks for requests past their timeouts, ms: a tenth of the headers timeout, 25 ms to
 * 1 s. Node's default (30 s) would let a slow client hold its connection up to 30 s past the limit.
 */
const checkingInterval = (headersTimeoutMs: number): number =>
  Math.max(25, Math.min(1_000, Math.floor(headersTimeoutMs / 10)));

/**
 * Serves `createApp` over HTTP/1.1 on `host:port` (default 127.0.0.1:4566), with request and
 * header timeouts and a per-client connection cap (see `StartServerOptions`).
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const {
    ballast,
    host = '127.0.0.1',
    port = 4566,
    publicUrl,
    closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS,
    requestTimeoutMs,
    headersTimeoutMs,
    maxConnectionsPerClient,
    ...appOptions
  } = options;
  const limits = resolveServerLimits({
    requestTimeoutMs,
    headersTimeoutMs,
    maxConnectionsPerClient,
  });
  // Without a public URL, QueueUrls follow each request's Host (as ElasticMQ and LocalStack do):
  // a client that reached the server by some name gets URLs with that name.
  const origin = publicUrl?.replace(/\/+$/, '');
  const app = createApp(ballast, { ...appOptions, ...(origin ? { publicUrl: origin } : {}) });
  const server = await new Promise<Server>((resolve, reject) => {
    // Node's requestTimeout covers receiving the request only (headers and body), never the
    // response, so a long poll answered 20 s after its request arrived is not cut by it.
    const serverOptions = {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: checkingInterval(limits.headersTimeoutMs),
    };
    const s = serve({ fetch: app.fetch, hostname: host, port, serverOptions }) as Server;
    if (limits.maxConnectionsPerClient !== null)
      limitConnectionsPerClient(s, limits.maxConnectionsPerClient);
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const bound = address.port;
  const url = origin || originOf(host, bound);
  appOptions.logger?.info(
    { url, host, address: address.address, port: bound },
    'ballast server listening',
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      // Keep-alive sockets become idle as their last response ends; close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      const cut = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
      try {
        server.closeIdleConnections();
        await done;
      } finally {
        clearInterval(sweep);
        clearTimeout(cut);
      }
      appOptions.logger?.info({ url }, 'ballast server closed');
      markClosed(running);
    })());
  const running: RunningServer = { url, port: bound, address, close, [Symbol.asyncDispose]: close };
  markRunning(running, `server (${url})`);
  return running;
}
