import { openBallast } from '../../ballast.js';
import { BallastError } from '../../core/errors.js';
import { intFlag, parse, serveStoreUrl } from '../args.js';
import { unreadableFile } from '../exit.js';
import type { Output } from '../output.js';
import { pino } from 'pino';
import type { ServerLogger } from '../../server/options.js';
import { exposureWarning, formatAddress } from '../serve-exposure.js';
import { serveScope, wildcardNote } from '../serve-scope.js';
import { prettyLogStream } from '../log-lines.js';

export const SERVE_USAGE = `ballast serve [--port 4566] [--host 127.0.0.1] [--store URL] [--public-url URL] [--region us-east-1] [--account 000000000000]
             [--health FILE [--health-events]] [--max-concurrent N] [--require-auth] [--metrics-token TOKEN] [--request-timeout MS] [--headers-timeout MS] [--max-connections-per-client N] [--log-level info]
  Speaks the SQS JSON and EventBridge JSON protocols (AWS SDK v3: endpoint http://127.0.0.1:4566), GET /healthz, GET /metrics;
  --region and --account (or BALLAST_REGION, BALLAST_ACCOUNT) name the region and 12-digit account in every ARN
  and QueueUrl (default us-east-1 / 000000000000). QueueUrls use the host each client connected to, unless
  --public-url sets one origin for all (behind a proxy). --host 0.0.0.0 binds every interface; the banner
  then lists the URLs clients can use.
  with --health, also runs a health monitor from FILE and serves its snapshots under /v1/health/*;
  with --health-events, every snapshot is also put on the default event bus (source ballast.health);
  with --max-concurrent N (or BALLAST_MAX_CONCURRENT), requests beyond N in flight get 503 + Retry-After
  at once (health checks and /metrics are never shed).
  Authentication: with BALLAST_ACCESS_KEYS="id:secret[,id:secret…]" every SQS/EventBridge request needs a SigV4
  signature by one of the keys, and /metrics a signature or the bearer token --metrics-token (or
  BALLAST_METRICS_TOKEN, 16+ characters); /healthz stays open. --require-auth refuses to start (exit 2)
  without keys; a --host other than loopback without keys prints a warning.
  Slow clients: a request must arrive whole within --request-timeout (default 30000 ms) and its headers
  within --headers-timeout (default 10000 ms), else 408; one client address holds at most
  --max-connections-per-client open connections (default 256, 0 = no limit; more are closed at once).
  --log-level fatal|error|warn|info|debug|trace|silent (or BALLAST_LOG_LEVEL; default info): log lines on stderr,
  JSON unless stderr is a terminal (BALLAST_LOG_FORMAT=json|pretty decides); every request at debug, every 4xx at
  info, every 5xx, dispatch or delivery failure and store outage at warn or error with its code.`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Logs on stderr (pino) at `level`: JSON lines, or readable lines when stderr is a terminal
 * (`BALLAST_LOG_FORMAT=json` or `pretty` decides instead).
 */
function serverLogger(level: string): ServerLogger {
  if (!LOG_LEVELS.includes(level))
    throw new BallastError(
      'InvalidParameterValue',
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${level}`,
    );
  const format = process.env.BALLAST_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty')
    throw new BallastError(
      'InvalidParameterValue',
      `BALLAST_LOG_FORMAT must be json or pretty, got ${format}`,
    );
  const options = { level, base: { pid: process.pid } };
  return format === 'pretty'
    ? pino(options, prettyLogStream(process.stderr))
    : pino(options, pino.destination({ dest: 2, sync: true }));
}

/** Parses BALLAST_ACCESS_KEYS into credentials. */
function accessKeys(
  raw: string | undefined,
): { accessKeyId: string; secretAccessKey: string }[] | undefined {
  if (!raw) return undefined;
  return raw.split(',').map((pair) => {
    const i = pair.indexOf(':');
    if (i <= 0)
      throw new BallastError(
        'InvalidParameterValue',
        'BALLAST_ACCESS_KEYS must be id:secret pairs separated by commas',
      );
    return { accessKeyId: pair.slice(0, i).trim(), secretAccessKey: pair.slice(i + 1).trim() };
  });
}

/** A busy or forbidden port said in one line with what to do; other errors as they are. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new Error(
      `port ${port} on ${host} is already in use: stop what listens there or choose another --port. Not starting.`,
    );
  if (code === 'EACCES')
    return new Error(
      `not allowed to listen on port ${port} on ${host}: choose a port above 1023 with --port. Not starting.`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new Error(`${host} is not an address of this machine (--host). Not starting.`);
  return error;
}

/** A whole-number flag that is left to the server's default when absent. */
const optionalInt = (
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined => (value === undefined ? undefined : intFlag(value, name, 0, min, max));

/** `ballast serve`: runs the server until SIGINT/SIGTERM, then shuts down gracefully. */
export async function serveCommand(args: string[], io: Output): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'public-url': { type: 'string' },
    health: { type: 'string' },
    'health-events': { type: 'boolean' },
    'max-concurrent': { type: 'string' },
    'log-level': { type: 'string' },
    'require-auth': { type: 'boolean' },
    'metrics-token': { type: 'string' },
    'request-timeout': { type: 'string' },
    'headers-timeout': { type: 'string' },
    'max-connections-per-client': { type: 'string' },
    region: { type: 'string' },
    account: { type: 'string' },
  });
  const scope = serveScope(
    values.region ?? (process.env.BALLAST_REGION || undefined),
    values.account ?? (process.env.BALLAST_ACCOUNT || undefined),
  );
  if (!scope.ok) {
    io.err(`ballast serve: ${scope.message}. Not starting.`);
    return 2;
  }
  const port = intFlag(values.port, 'port', 4566, 0, 65_535);
  const host = values.host ?? '127.0.0.1';
  const credentials = accessKeys(process.env.BALLAST_ACCESS_KEYS);
  if (values['require-auth'] && !credentials) {
    io.err(
      'ballast serve: --require-auth is set but no access keys are configured: set BALLAST_ACCESS_KEYS="id:secret[,id:secret…]". Not starting.',
    );
    return 2;
  }
  const warning = exposureWarning(host, credentials !== undefined);
  if (warning) io.err(warning);
  const metricsToken = values['metrics-token'] ?? (process.env.BALLAST_METRICS_TOKEN || undefined);
  const requestTimeoutMs = optionalInt(
    values['request-timeout'],
    'request-timeout',
    100,
    3_600_000,
  );
  const headersTimeoutMs = optionalInt(
    values['headers-timeout'],
    'headers-timeout',
    100,
    3_600_000,
  );
  const maxConnectionsPerClient = optionalInt(
    values['max-connections-per-client'],
    'max-connections-per-client',
    0,
    1_000_000,
  );
  // --max-concurrent, else $BALLAST_MAX_CONCURRENT (as --store and $BALLAST_STORE); unset = no limit.
  const maxRaw = values['max-concurrent'] ?? (process.env.BALLAST_MAX_CONCURRENT || undefined);
  const maxConcurrentRequests =
    maxRaw === undefined ? undefined : intFlag(maxRaw, 'max-concurrent', 0, 1, 1_000_000);
  const logger = serverLogger(values['log-level'] ?? process.env.BALLAST_LOG_LEVEL ?? 'info');
  // The bus starts once the server listens: a backlog to dispatch never delays serving.
  // Unlike the other commands, serve creates the default store when there is none: its main job.
  const ballast = await openBallast({
    store: serveStoreUrl(values.store),
    bus: { background: false },
    ...(scope.region !== undefined ? { region: scope.region } : {}),
    ...(scope.accountId !== undefined ? { accountId: scope.accountId } : {}),
  });
  const configPath = values.health;
  const health = configPath
    ? await import('../../health/service.js')
        .then(async ({ HealthService }) => {
          const { snapshotEvent } = await import('../../health/bus-events.js');
          return HealthService.start({
            configPath,
            onError: (message) => io.err(`ballast health: ${message}`),
            ...(values['health-events']
              ? {
                  onSnapshot: async (bytes, snapshot) =>
                    void (await ballast.bus.putEvents([snapshotEvent(bytes, snapshot)])),
                }
              : {}),
          });
        })
        .catch(async (error: unknown) => {
          await ballast.close();
          throw unreadableFile('--health', configPath, error);
        })
    : undefined;
  // The server is loaded only by this command, so other commands start fast.
  const { startServer } = await import('../../server/serve.js');
  const server = await startServer({
    ballast,
    host,
    port,
    ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
    ...(credentials ? { credentials } : {}),
    ...(health ? { health: () => health.source() } : {}),
    ...(maxConcurrentRequests !== undefined ? { maxConcurrentRequests } : {}),
    logger,
    ...(metricsToken !== undefined ? { metricsToken } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
    ...(maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient } : {}),
  }).catch(async (error: unknown) => {
    // A refused option (a weak token, headers timeout above the request timeout) or a busy port.
    await health?.stop();
    await ballast.close();
    throw listenError(error, host, port);
  });
  // The bus starts once the server listens: a backlog to dispatch never delays serving.
  ballast.bus.start();
  // Listen for signals before the banner: whoever waits for the banner may signal at once, and a
  // SIGTERM that came before the listener would kill the process without a graceful shutdown.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const auth = credentials
    ? `SigV4, ${credentials.length} key${credentials.length === 1 ? '' : 's'}`
    : 'none';
  io.err(
    `ballast: serving SQS and EventBridge on ${server.url} (bound to ${formatAddress(server.address)}; auth: ${auth}; store: ${ballast.store.kind}; ${ballast.region}, account ${ballast.accountId})`,
  );
  const note = values['public-url'] ? null : wildcardNote(server.address, server.url);
  if (note) io.err(note);
  await stopped;
  io.err('ballast: shutting down');
  await server.close();
  await health?.stop();
  await ballast.close();
  return 0;
}
