import type { Server } from 'node:http';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { BallastError } from '../../core/errors.js';
import { intFlag, parse } from '../args.js';
import { unreadableFile, UsageError } from '../exit.js';
import type { Output } from '../output.js';

export const HEALTH_USAGE = `ballast health run --config FILE [--port 8080] [--host 127.0.0.1] [--snapshot-file PATH]
  Probes every endpoint of FILE once per interval and publishes a fixed-size snapshot every interval:
  GET /v1/health/snapshot (binary), /v1/health/snapshot.json, /v1/health/layout, /v1/health/status.
  FILE is re-read every 5 intervals; a bad edit is reported and the running config kept.
ballast health aggregate --from URL[,URL…] [--port 8081] [--host 127.0.0.1] [--share 0.5] [--every 1000]
  Reads every checker's snapshot once per interval and serves their quorum on the same routes
  (healthy when at least --share of the fresh checkers with an opinion say so).
ballast health show [--url http://127.0.0.1:8080] [--every MS] [--once]
  Draws the latest snapshot as a grid (● healthy, ✕ unhealthy, · unknown), refreshing every interval,
  and lists the unhealthy endpoints by id under it.`;

const FLAGS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'snapshot-file': { type: 'string' },
  url: { type: 'string' },
  every: { type: 'string' },
  once: { type: 'boolean' },
  from: { type: 'string' },
  share: { type: 'string' },
} as const;

/** `ballast health run|show`. */
export async function healthCommand(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError('which health command?', HEALTH_USAGE);
  const { values } = parse(rest, FLAGS);
  if (sub === 'run') return run(values, io);
  if (sub === 'show') return show(values, io);
  if (sub === 'aggregate') return aggregate(values, io);
  throw new UsageError(`unknown health command "${sub}"`, HEALTH_USAGE);
}

type Flags = ReturnType<typeof parse<typeof FLAGS>>['values'];

async function run(values: Flags, io: Output): Promise<number> {
  if (!values.config) throw new UsageError('--config FILE is required', HEALTH_USAGE);
  const port = intFlag(values.port, 'port', 8080, 0, 65_535);
  const host = values.host ?? '127.0.0.1';
  const [{ HealthService }, { healthRoutes }] = await Promise.all([
    import('../../health/service.js'),
    import('../../health/routes.js'),
  ]);
  const configPath = values.config;
  const service = await HealthService.start({
    configPath,
    ...(values['snapshot-file'] ? { snapshotFile: values['snapshot-file'] } : {}),
    onError: (message) => io.err(`ballast health: ${message}`),
  }).catch((error: unknown) => {
    throw unreadableFile('--config', configPath, error);
  });
  const routes = healthRoutes(() => service.source());
  await serveUntilSignal(
    routes,
    host,
    port,
    io,
    (url) =>
      `probing ${service.config.endpoints.length} endpoints every ${service.config.intervalMs} ms; snapshots on ${url}/v1/health/snapshot`,
  );
  await service.stop();
  return 0;
}

async function aggregate(values: Flags, io: Output): Promise<number> {
  const checkers = (values.from ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (checkers.length === 0) throw new UsageError('--from URL[,URL…] is required', HEALTH_USAGE);
  const share = values.share === undefined ? 0.5 : Number(values.share);
  if (!(share > 0 && share <= 1))
    throw new BallastError(
      'InvalidParameterValue',
      `--share must be above 0 and at most 1, got ${values.share}`,
    );
  const [{ AggregateService }, { healthRoutes }] = await Promise.all([
    import('../../health/aggregate-service.js'),
    import('../../health/routes.js'),
  ]);
  const service = new AggregateService({
    checkers,
    healthyShare: share,
    intervalMs: intFlag(values.every, 'every', 1_000, 100, 3_600_000),
  });
  service.start();
  const routes = healthRoutes(() => service.source());
  await serveUntilSignal(
    routes,
    values.host ?? '127.0.0.1',
    intFlag(values.port, 'port', 8081, 0, 65_535),
    io,
    (url) => `aggregating ${checkers.length} checkers; snapshots on ${url}/v1/health/snapshot`,
  );
  await service.stop();
  return 0;
}

/** Serves `routes` (plus `/healthz` → status) until SIGINT/SIGTERM. */
async function serveUntilSignal(
  routes: Hono,
  host: string,
  port: number,
  io: Output,
  describe: (url: string) => string,
): Promise<void> {
  const { serve } = await import('@hono/node-server');
  routes.get('/healthz', (c) => c.redirect('/v1/health/status'));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: routes.fetch, hostname: host, port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  io.err(`ballast health: ${describe(`http://${host}:${(server.address() as AddressInfo).port}`)}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err('ballast health: stopping');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}

interface JsonView {
  monitorId: string;
  sequence: number;
  time: string;
  counts: { healthy: number; unhealthy: number; unknown: number };
  endpoints: { id: string | number; state: 'healthy' | 'unhealthy' | 'unknown' }[];
  /** Why each unhealthy endpoint's latest probe failed, by id (from a monitor, not an aggregate). */
  lastErrors?: Record<string, string>;
}

const MARK = { healthy: '●', unhealthy: '✕', unknown: '·' } as const;
const COLOUR = { healthy: '\x1b[32m', unhealthy: '\x1b[31m', unknown: '\x1b[90m' } as const;

/** At most this many unhealthy endpoints are listed under the grid (then "… and N more"). */
const MAX_LISTED = 20;

/** The grid for one snapshot: a header line, then rows of `columns` marks. */
export function renderGrid(view: JsonView, columns: number, colour: boolean): string {
  const { healthy, unhealthy, unknown } = view.counts;
  const lines = [
    `${view.monitorId}  #${view.sequence}  ${view.time}  ● ${healthy} healthy  ✕ ${unhealthy} unhealthy  · ${unknown} unknown`,
  ];
  for (let i = 0; i < view.endpoints.length; i += columns) {
    lines.push(
      view.endpoints
        .slice(i, i + columns)
        .map((e) => (colour ? `${COLOUR[e.state]}${MARK[e.state]}\x1b[0m` : MARK[e.state]))
        .join(''),
    );
  }
  return lines.join('\n');
}

/** The unhealthy endpoints (the first 20), one a line with the last error, to print under the grid; '' when none. */
export function renderUnhealthy(view: JsonView): string {
  const down = view.endpoints.filter((e) => e.state === 'unhealthy');
  if (down.length === 0) return '';
  const more = down.length - MAX_LISTED;
  const width = Math.max(...down.slice(0, MAX_LISTED).map((e) => String(e.id).length));
  return [
    `unhealthy (${down.length}):`,
    ...down.slice(0, MAX_LISTED).map((e) => {
      const error = view.lastErrors?.[String(e.id)];
      return `  ✕ ${error ? `${String(e.id).padEnd(width)}  ${error}` : e.id}`;
    }),
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ].join('\n');
}

async function show(values: Flags, io: Output): Promise<number> {
  const base = (values.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const every = intFlag(values.every, 'every', 1_000, 100, 3_600_000);
  const columns = Math.max(10, Math.min(200, (process.stdout.columns ?? 100) - 1));
  const colour = Boolean(process.stdout.isTTY);
  let lastGrid = '';
  for (;;) {
    let text: string;
    try {
      const res = await fetch(`${base}/v1/health/snapshot.json`, {
        signal: AbortSignal.timeout(every),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const view = (await res.json()) as JsonView;
      const unhealthy = renderUnhealthy(view);
      text = lastGrid = `${renderGrid(view, columns, colour)}${unhealthy ? `\n${unhealthy}` : ''}`;
    } catch (error) {
      if (values.once)
        return (io.err(`ballast health: cannot read ${base}: ${(error as Error).message}`), 1);
      // Statically stable: the last grid stays on screen, marked stale.
      text = `${lastGrid}\n(stale: cannot read ${base}: ${(error as Error).message})`;
    }
    if (values.once) return (io.out(text), 0);
    io.out(`\x1b[2J\x1b[H${text}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
