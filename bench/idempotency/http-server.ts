/**
 * The HTTP endpoint of the idempotency benchmark, in its own process (forked with an IPC channel):
 * `POST /payments` with a small JSON body, answered with a small JSON reply, on plain `node:http`,
 * with Ballast's `expressIdempotency` middleware in front when a store URL is given.
 *
 * Usage: `node --import tsx bench/idempotency/http-server.ts plain | <store-url> [redis-prefix]`.
 * Sends `{ port }` to the parent when listening; closes and exits on the message 'stop'.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { expressIdempotency } from '../../src/idempotency/index.js';
import { openBallastIdempotency } from './stores.js';

const [target, redisPrefix = ''] = process.argv.slice(2);
if (!target || !process.send) {
  console.error('usage (forked with IPC): http-server.ts plain | <store-url> [redis-prefix]');
  process.exit(2);
}

const opened = target === 'plain' ? undefined : await openBallastIdempotency(target, redisPrefix);
const middleware = opened ? expressIdempotency(opened.idem) : undefined;

let id = 0;
function handler(req: IncomingMessage & { body?: unknown }, res: ServerResponse): void {
  const body = req.body as { amount?: unknown };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: ++id, ok: true, echo: body.amount }));
}

const server = createServer((req: IncomingMessage & { body?: unknown }, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (middleware) middleware(req, res, () => handler(req, res));
    else handler(req, res);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (message) => {
  if (message !== 'stop') return;
  server.closeAllConnections();
  server.close(() => {
    void (opened?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  });
});
