/**
 * The dependency of the interactions benchmark, in its own process (forked with an IPC channel) so
 * its CPU is not the clients'. A tiny `node:http` handler whose behaviour the driver switches by
 * phase:
 *
 * - `healthy`: 200 at once;
 * - `fail`: 503 at once;
 * - `hang`: never answers (the client's timeout ends the attempt; the socket's close frees it);
 * - `overload`: at most `capacity` requests in service, each `serviceMs` long; above that they
 *   wait in a FIFO queue of at most `queueLimit`, and beyond it get 503 at once. Like most servers
 *   it does not watch the clock: a queued request whose client has gone is still served (its
 *   capacity is spent for nothing). Leaving `overload` answers the queue at once (capacity is back).
 *
 * Every request that arrives is counted under the phase current at its arrival.
 * IPC: `{ type: 'phase', id, mode, … }` switches (no answer; messages arrive in order);
 * `{ type: 'counts', seq }` → `{ reply: seq, counts }` (and forgets them). Exits when the IPC
 * channel closes (the driver disconnects, or dies). Sends `{ port }` once listening.
 */
import { createServer, type ServerResponse } from 'node:http';

export type DependencyMode = 'healthy' | 'fail' | 'hang' | 'overload';

export interface PhaseMessage {
  type: 'phase';
  /** Arrivals are counted under this id until the next phase message. */
  id: string;
  mode: DependencyMode;
  capacity?: number;
  serviceMs?: number;
  queueLimit?: number;
}

/** Per phase id: requests that arrived, and how they were answered. */
export interface PhaseCounts {
  arrived: number;
  ok: number;
  rejected: number;
  /** Overload: requests that waited in the queue. */
  queued: number;
  /** Hang: requests never answered. */
  hung: number;
}

if (!process.send) {
  console.error(
    'dependency.ts runs forked by the interactions benchmark (it needs an IPC channel)',
  );
  process.exit(2);
}

let phase: PhaseMessage = { type: 'phase', id: 'start', mode: 'healthy' };
const counts = new Map<string, PhaseCounts>();
const countsOf = (id: string): PhaseCounts => {
  let c = counts.get(id);
  if (!c) counts.set(id, (c = { arrived: 0, ok: 0, rejected: 0, queued: 0, hung: 0 }));
  return c;
};

let inService = 0;
const queue: { res: ServerResponse; c: PhaseCounts }[] = [];

const answer = (res: ServerResponse, status: number): void => {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-length': '2', 'content-type': 'text/plain' });
  res.end(status === 200 ? 'ok' : 'no');
};

function serve(res: ServerResponse, c: PhaseCounts, serviceMs: number): void {
  inService++;
  setTimeout(() => {
    inService--;
    c.ok++;
    answer(res, 200);
    const next = queue.shift();
    if (next) serve(next.res, next.c, phase.serviceMs ?? serviceMs);
  }, serviceMs);
}

const server = createServer((req, res) => {
  const c = countsOf(phase.id);
  c.arrived++;
  req.resume();
  switch (phase.mode) {
    case 'healthy':
      c.ok++;
      answer(res, 200);
      return;
    case 'fail':
      c.rejected++;
      answer(res, 503);
      return;
    case 'hang':
      c.hung++;
      return;
    case 'overload': {
      const { capacity = 32, serviceMs = 100, queueLimit = 64 } = phase;
      if (inService < capacity) serve(res, c, serviceMs);
      else if (queue.length < queueLimit) {
        c.queued++;
        queue.push({ res, c });
      } else {
        c.rejected++;
        answer(res, 503);
      }
    }
  }
});
server.keepAliveTimeout = 60_000;

process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

process.on('message', (m: PhaseMessage | { type: 'counts'; seq: number }) => {
  if (m.type === 'counts') {
    process.send!({ reply: m.seq, counts: Object.fromEntries(counts) });
    counts.clear();
    return;
  }
  phase = m;
  if (m.mode !== 'overload') {
    // Capacity is back: whatever waited is answered now.
    for (const q of queue.splice(0)) {
      q.c.ok++;
      answer(q.res, 200);
    }
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
