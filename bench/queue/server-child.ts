/**
 * The Ballast server for the benchmark, in its own process so client and server do not share an
 * event loop. Usage: `node --import tsx bench/queue/server-child.ts <store-url>`.
 * Prints one JSON line `{"url": …}` when listening; shuts down cleanly when stdin closes.
 */
import { openBallast } from '../../src/ballast.js';

interface ServeModule {
  startServer(options: {
    ballast: unknown;
    host: string;
    port: number;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

const storeUrl = process.argv[2];
if (!storeUrl) {
  console.error('usage: server-child.ts <store-url>');
  process.exit(2);
}
const spec = '../../src/server/serve.js';
const { startServer } = (await import(spec)) as ServeModule;
// statsTtlMs 0: GetQueueAttributes counts live, so the benchmark's "all done" probe is exact
// (by default approximate counts are reused for up to a second). Nothing on the hot path reads them.
const ballast = await openBallast({ store: storeUrl, retentionSweepMs: 0, statsTtlMs: 0 });
const server = await startServer({ ballast, host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

let closing = false;
const shutdown = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await server.close();
  await ballast.close();
};
process.stdin.resume();
process.stdin.on('end', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
