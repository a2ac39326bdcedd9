import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import type { StartServerOptions } from './options.js';
import { originOf } from './protocols/sqs/queue-url.js';

/** A listening server. */
export interface RunningServer {
  /** Origin clients use, e.g. `http://127.0.0.1:4566` (the public URL when one was given). */
  readonly url: string;
  /** Port actually bound (useful with `port: 0`). */
  readonly port: number;
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

/** Serves `createApp` over HTTP/1.1 on `host:port` (default 127.0.0.1:4566). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { ballast, host = '127.0.0.1', port = 4566, publicUrl, closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS, ...appOptions } = options;
  let url = publicUrl?.replace(/\/+$/, '') ?? '';
  const app = createApp(ballast, { ...appOptions, publicUrl: () => url });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const bound = (server.address() as AddressInfo).port;
  if (url === '') url = originOf(host, bound);
  appOptions.logger?.info({ url, host, port: bound }, 'ballast server listening');

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
    })());
  return { url, port: bound, close, [Symbol.asyncDispose]: close };
}
