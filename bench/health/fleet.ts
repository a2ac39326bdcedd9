/**
 * The fake fleet of the health benchmark, in its own process (forked with an IPC channel): a few
 * HTTP listeners on 127.0.0.1, endpoint i at `http://127.0.0.1:<ports[i % ports.length]>/ep/<i>`.
 * Each endpoint behaves as the last plan said (one character per endpoint):
 *   'o' answers 200 "ok" · 'e' answers 500 · 'h' never answers (the monitor's timeout aborts it) ·
 *   'r' destroys the connection at once. 'r' stands for a refused connection: a true ECONNREFUSED
 *   per endpoint would need a port per endpoint; to the probe both are a failure without an answer.
 *
 * Usage: `node --import tsx bench/health/fleet.ts <endpoints> <listeners>`. Sends `{ ports }` when
 * listening; answers `{ id, type: 'plan', plan }` and `{ id, type: 'count' }` with `{ reply: id, … }`;
 * exits on 'stop'.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const endpoints = Number(process.argv[2]);
const listeners = Number(process.argv[3]);
if (!process.send || !(endpoints > 0) || !(listeners > 0)) {
  console.error('usage (forked with IPC): fleet.ts <endpoints> <listeners>');
  process.exit(2);
}

/** Behaviour per endpoint: the plan's character codes. */
let plan = new Uint8Array(endpoints).fill('o'.charCodeAt(0));
const OK = 'o'.charCodeAt(0);
const ERROR = 'e'.charCodeAt(0);
const HANG = 'h'.charCodeAt(0);
let connections = 0;
let requests = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests++;
  const i = Number((req.url ?? '').slice(4));
  const behaviour = Number.isInteger(i) && i >= 0 && i < endpoints ? plan[i]! : ERROR;
  if (behaviour === OK)
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('ok');
  else if (behaviour === ERROR) res.writeHead(500, { 'content-length': 0 }).end();
  else if (behaviour === HANG)
    return; // held until the client gives up and closes the connection
  else req.socket.destroy();
}

const servers: Server[] = [];
for (let l = 0; l < listeners; l++) {
  const server = createServer(handle);
  // No server-side deadlines: a hanging endpoint hangs until the monitor aborts the probe.
  server.requestTimeout = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
}

process.send({ ports: servers.map((s) => (s.address() as AddressInfo).port) });

process.on('message', (message: { id?: number; type?: string; plan?: string } | 'stop') => {
  if (message === 'stop') {
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  }
  if (
    message.type === 'plan' &&
    typeof message.plan === 'string' &&
    message.plan.length === endpoints
  ) {
    plan = Uint8Array.from(Buffer.from(message.plan, 'latin1'));
    process.send!({ reply: message.id });
  } else if (message.type === 'count') {
    process.send!({ reply: message.id, connections, requests });
  }
});
