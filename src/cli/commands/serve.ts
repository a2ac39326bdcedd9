import { openBallast } from '../../ballast.js';
import { intFlag, parse, storeUrl } from '../args.js';
import type { Output } from '../output.js';
import { pino } from 'pino';
import { BallastError } from '../../core/errors.js';
import type { ServerLogger } from '../../server/options.js';

export const SERVE_USAGE = `ballast serve [--port 4566] [--host 127.0.0.1] [--store URL] [--public-url URL] [--health FILE [--health-events]] [--max-concurrent N] [--log-level info]
  Speaks the SQS JSON protocol (AWS SDK v3: endpoint http://127.0.0.1:4566), GET /healthz, GET /metrics;
  with --health, also runs a health monitor from FILE and serves its snapshots under /v1/health/*;
  with --health-events, every snapshot is also put on the default event bus (source ballast.health);
  with --max-concurrent N (or BALLAST_MAX_CONCURRENT), requests beyond N in flight get 503 + Retry-After
  at once (health checks and /metrics are never shed).
  --log-level fatal|error|warn|info|debug|trace|silent (or BALLAST_LOG_LEVEL; default info): JSON log lines on stderr;
  every 5xx, dispatch or delivery failure and store outage is logged at warn or error with its code.
  SigV4 is verified when BALLAST_ACCESS_KEYS="id:secret[,id:secret…]" is set.`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** JSON lines on stderr (pino) at `level`. */
function serverLogger(level: string): ServerLogger {
  if (!LOG_LEVELS.includes(level)) throw new BallastError('InvalidParameterValue', `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${level}`);
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}

/** Parses BALLAST_ACCESS_KEYS into credentials. */
function accessKeys(raw: string | undefined): { accessKeyId: string; secretAccessKey: string }[] | undefined {
  if (!raw) return undefined;
  return raw.split(',').map((pair) => {
    const i = pair.indexOf(':');
    if (i <= 0) throw new Error('BALLAST_ACCESS_KEYS must be id:secret pairs separated by commas');
    return { accessKeyId: pair.slice(0, i).trim(), secretAccessKey: pair.slice(i + 1).trim() };
  });
}

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
  });
  if (values.help) return io.out(SERVE_USAGE), 0;
  const port = intFlag(values.port, 'port', 4566, 0, 65_535);
  const host = values.host ?? '127.0.0.1';
  const credentials = accessKeys(process.env.BALLAST_ACCESS_KEYS);
  // --max-concurrent, else $BALLAST_MAX_CONCURRENT (as --store and $BALLAST_STORE); unset = no limit.
  const maxRaw = values['max-concurrent'] ?? (process.env.BALLAST_MAX_CONCURRENT || undefined);
  const maxConcurrentRequests = maxRaw === undefined ? undefined : intFlag(maxRaw, 'max-concurrent', 0, 1, 1_000_000);
  const logger = serverLogger(values['log-level'] ?? process.env.BALLAST_LOG_LEVEL ?? 'info');
  // The bus starts once the server listens: a backlog to dispatch never delays serving.
  const ballast = await openBallast({ store: storeUrl(values.store), bus: { background: false } });
  const configPath = values.health;
  const health = configPath
    ? await import('../../health/service.js')
        .then(async ({ HealthService }) => {
          const { snapshotEvent } = await import('../../health/bus-events.js');
          return HealthService.start({
            configPath,
            onError: (message) => io.err(`ballast health: ${message}`),
            ...(values['health-events'] ? { onSnapshot: async (bytes, snapshot) => void (await ballast.bus.putEvents([snapshotEvent(bytes, snapshot)])) } : {}),
          });
        })
        .catch(async (error: unknown) => {
          await ballast.close();
          throw error;
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
  });
  ballast.bus.start();
  io.err(`ballast: serving SQS and EventBridge on ${server.url} (store: ${ballast.store.kind})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err('ballast: shutting down');
  await server.close();
  await health?.stop();
  await ballast.close();
  return 0;
}
