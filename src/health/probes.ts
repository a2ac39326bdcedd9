/**
 * Probes: HTTP(S) GET, TCP connect and caller-supplied functions. A probe never throws (a failure
 * is `ok: false` with a short reason) and owns no timer: the monitor aborts it at its timeout.
 * Everything that can be worked out from the config is worked out once, when the probe is made.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { urlToHttpOptions } from 'node:url';
import { BallastError } from '../core/errors.js';
import { DEFAULT_EXPECT_STATUS, parseHostPort, parseHttpUrl } from './config.js';
import type {
  EndpointConfig,
  HttpEndpointConfig,
  Probe,
  ProbeResult,
  TcpEndpointConfig,
} from './types.js';

/** How much of a response body an HTTP probe reads, bytes (as Route 53 does); the rest is not read. */
export const BODY_SEARCH_BYTES = 5_120;

/**
 * How long `createProbeAgents`' agents keep an idle connection, ms. @defaultValue 4_000
 * (below the 5 s idle timeout of Node's own servers, so the server does not close it under a probe).
 */
export const DEFAULT_FREE_SOCKET_TIMEOUT_MS = 4_000;

/** A monotonic time source for `ProbeResult.ms`, ms. @defaultValue `performance.now()` */
export interface ProbeClock {
  now(): number;
}

/** Options of `tcpProbe` and `functionProbe`. */
export interface ProbeOptions {
  /** Measures `ms`. @defaultValue `performance.now()` */
  clock?: ProbeClock;
}

/** Options of `httpProbe`. */
export interface HttpProbeOptions extends ProbeOptions {
  /** Pool to reuse connections from (see `createProbeAgents`); it must match the URL's scheme. @defaultValue a new connection per probe */
  agent?: http.Agent | https.Agent;
}

/** One keep-alive agent per scheme, shared by every HTTP probe of a monitor. */
export interface ProbeAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** Options of `createProbeAgents`. */
export interface ProbeAgentOptions {
  /** Most connections per host and port. @defaultValue Infinity */
  maxSockets?: number;
  /** How long an idle connection is kept, ms; a server's shorter `Keep-Alive: timeout` wins. @defaultValue 4_000 */
  freeSocketTimeoutMs?: number;
}

const performanceClock: ProbeClock = { now: () => performance.now() };
const USER_AGENT = 'ballast-health';
const SHORT_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  ETIMEDOUT: 'timeout',
};
const MAX_ERROR_LENGTH = 200;

/**
 * Keep-alive agents for HTTP probes: a healthy server is probed over the connection it answered
 * on last time. Any failure destroys the connection it used, so the next probe connects afresh.
 */
export function createProbeAgents(options: ProbeAgentOptions = {}): ProbeAgents {
  const maxSockets = options.maxSockets ?? Infinity;
  const timeout = options.freeSocketTimeoutMs ?? DEFAULT_FREE_SOCKET_TIMEOUT_MS;
  if (!(maxSockets >= 1) || !(Number.isInteger(maxSockets) || maxSockets === Infinity)) {
    throw new BallastError(
      'InvalidParameterValue',
      `maxSockets must be a positive integer (got ${maxSockets})`,
    );
  }
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new BallastError(
      'InvalidParameterValue',
      `freeSocketTimeoutMs must be a positive integer (got ${timeout})`,
    );
  }
  // Node applies `timeout` to idle pooled sockets (destroying them); it also adopts a server's
  // shorter Keep-Alive hint, so the pool gives a connection up before the server does.
  const agentOptions = { keepAlive: true, maxSockets, timeout, scheduling: 'lifo' } as const;
  return { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
}

/**
 * An HTTP(S) GET probe: healthy when the status is in `expectStatus` (default 200–399) and the
 * first `BODY_SEARCH_BYTES` bytes of the body contain `bodyContains` (if set). Redirects are not
 * followed. Throws `InvalidParameterValue` at creation for a URL that is not http(s).
 */
export function httpProbe(endpoint: HttpEndpointConfig, options: HttpProbeOptions = {}): Probe {
  const url = parseHttpUrl(endpoint.url);
  if (url === undefined)
    throw new BallastError(
      'InvalidParameterValue',
      `${endpoint.id}: url must be an http:// or https:// URL`,
    );
  const request = url.protocol === 'https:' ? https.request : http.request;
  const requestOptions: http.RequestOptions = {
    ...urlToHttpOptions(url),
    method: 'GET',
    // Without a pool, each probe gets a fresh agent and `Connection: close`: a full connect every time.
    agent: options.agent ?? false,
    headers: { 'user-agent': USER_AGENT },
  };
  const [minStatus, maxStatus] = endpoint.expectStatus ?? DEFAULT_EXPECT_STATUS;
  const needle =
    endpoint.bodyContains === undefined ? undefined : Buffer.from(endpoint.bodyContains, 'utf8');
  const clock = options.clock ?? performanceClock;

  return (signal) =>
    settle(signal, clock, (finish) => {
      const req = request(requestOptions);
      let socket: net.Socket | undefined;
      let body: Buffer | undefined;
      let received = 0;
      let answered = false;
      req.on('error', (error) => finish(shortError(error)));
      req.on('response', (res: http.IncomingMessage) => {
        socket = res.socket;
        const status = res.statusCode ?? 0;
        const badStatus = status < minStatus || status > maxStatus ? `status ${status}` : undefined;
        const verdict = (): string | undefined =>
          badStatus ??
          (needle === undefined || (body !== undefined && body.indexOf(needle) >= 0)
            ? undefined
            : 'body mismatch');
        res.on('data', (chunk: Buffer) => {
          const room = BODY_SEARCH_BYTES - received;
          received += chunk.length;
          // Most health bodies arrive in one chunk: keep it as it is and only copy when there are more.
          if (needle !== undefined) {
            const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
            body = body === undefined ? part : Buffer.concat([body, part]);
          }
          if (received < BODY_SEARCH_BYTES) return;
          finish(verdict());
          // Enough read: the rest of the body is not wanted, so neither is this connection.
          res.destroy();
          socket?.destroy();
        });
        res.on('end', () => {
          // A complete answer, even a failing one, came from a live server over a sound
          // connection: it may serve the next probe (so failing costs no more than healthy).
          answered = true;
          finish(verdict());
        });
        // A response cut off mid-body closes without 'end'.
        res.on('close', () => finish('reset'));
      });
      req.end();
      return (failed) => {
        if (!failed || answered) return;
        // A connection that failed must not go back to the pool, where it would answer the next
        // probe with this one's trouble, or (worse) hide that the server behind it is gone.
        req.destroy();
        socket?.destroy();
      };
    });
}

/** A TCP probe: healthy when a connection to `host:port` opens (it is then reset at once). Throws `InvalidParameterValue` at creation for a malformed address. */
export function tcpProbe(endpoint: TcpEndpointConfig, options: ProbeOptions = {}): Probe {
  const target = parseHostPort(endpoint.tcp);
  if (target === undefined)
    throw new BallastError(
      'InvalidParameterValue',
      `${endpoint.id}: tcp must be host:port or [ipv6]:port`,
    );
  const connectOptions: net.NetConnectOpts = Object.freeze({
    host: target.host,
    port: target.port,
  });
  const clock = options.clock ?? performanceClock;
  return (signal) =>
    settle(signal, clock, (finish) => {
      const socket = net.connect(connectOptions);
      socket.on('connect', () => finish(undefined));
      socket.on('error', (error) => finish(shortError(error)));
      return (failed) => {
        // A reset instead of a FIN leaves no TIME_WAIT behind: at thousands of probes a second,
        // TIME_WAIT sockets would use up the ephemeral ports to a busy target.
        if (failed) socket.destroy();
        else socket.resetAndDestroy();
      };
    });
}

/**
 * A probe running the caller's check: resolving `true` or nothing is healthy; `false` or a
 * throw is not (the error's message becomes `error`). `fn` should give up when `signal` aborts.
 */
export function functionProbe(
  fn: (signal: AbortSignal) => Promise<boolean | void>,
  options: ProbeOptions = {},
): Probe {
  const clock = options.clock ?? performanceClock;
  return (signal) =>
    settle(signal, clock, (finish) => {
      // Promise.resolve: a plain JavaScript caller may hand in a function that returns a boolean.
      Promise.resolve(fn(signal)).then(
        (healthy) => finish(healthy === false ? 'returned false' : undefined),
        (error: unknown) => finish(messageOf(error)),
      );
    });
}

/** The probe an endpoint's config asks for: `httpProbe` (with the agent of its scheme from `agents`) or `tcpProbe`. */
export function probeFor(endpoint: EndpointConfig, agents?: ProbeAgents): Probe {
  if ('url' in endpoint) {
    const agent =
      agents === undefined ? undefined : /^https:/i.test(endpoint.url) ? agents.https : agents.http;
    return httpProbe(endpoint, { agent });
  }
  return tcpProbe(endpoint);
}

type Finish = (error: string | undefined) => void;
/** Tears a probe's resources down once its result is known; `failed` when it is not ok. */
type Teardown = (failed: boolean) => void;

/**
 * Runs one probe: `begin` starts the work and calls `finish` (no error meaning healthy); the
 * first outcome wins, an abort of `signal` is a 'timeout', and a throw from `begin` is a failure.
 */
function settle(
  signal: AbortSignal,
  clock: ProbeClock,
  begin: (finish: Finish) => Teardown | void,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const start = clock.now();
    let teardown: Teardown | void = undefined;
    let result: ProbeResult | undefined;
    const finish: Finish = (error) => {
      if (result !== undefined) return;
      const ms = clock.now() - start;
      result = error === undefined ? { ok: true, ms } : { ok: false, ms, error };
      signal.removeEventListener('abort', onAbort);
      if (teardown) teardown(error !== undefined);
      resolve(result);
    };
    const onAbort = (): void => finish('timeout');
    if (signal.aborted) return finish('timeout');
    signal.addEventListener('abort', onAbort);
    try {
      teardown = begin(finish);
    } catch (error) {
      finish(messageOf(error));
    }
    // Finished before `begin` returned its teardown (a synchronous throw or callback).
    if (result !== undefined && teardown) teardown(!result.ok);
  });
}

/** 'refused', 'reset', 'dns', 'timeout', or else the error's code (or message). */
function shortError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return SHORT_ERRORS[code] ?? code;
  return messageOf(error);
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH)}…`;
}
