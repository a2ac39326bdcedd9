import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
const clientOf = (address: string): string =>
  address.startsWith('::ffff:') ? address.slice(7) : address;

/**
 * Caps the connections one client address holds open at once: a connection beyond `max` is
 * destroyed as it is accepted, before any byte of it is read.
 *
 * Closing rather than answering 503 is deliberate (it is what Node's own `server.maxConnections`
 * does, and what connection limits in front of servers do): a 503 needs the request read first,
 * which is the very work — and the very wait on a slow client — the cap exists to refuse. SDK
 * clients see a reset connection, which they retry with backoff like any transient network error.
 */
export function limitConnectionsPerClient(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    if (socket.remoteAddress === undefined) return; // already gone
    const client = clientOf(socket.remoteAddress);
    const count = (open.get(client) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left === 0) open.delete(client);
      else open.set(client, left);
    });
  });
}
