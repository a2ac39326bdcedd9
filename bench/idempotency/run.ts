/** The idempotency benchmark: options, the order of the parts, and the versions of every system. */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { postgresFacts, redisFacts } from '../queue/services.js';
import { sqliteVersion } from '../queue/systems/ballast-sqlite.js';
import { ballastVersion, packageVersion } from '../queue/versions.js';
import { type CallOptions, type CallSystemResult, runCalls } from './calls.js';
import { type HttpOptions, type HttpSystemResult, runHttp } from './http.js';
import { measureRoundTrip, type RoundTripFloor } from './round-trip.js';
import { CALL_SYSTEMS } from './systems.js';

export const PARTS = ['calls', 'http'] as const;
export type Part = (typeof PARTS)[number];

export interface IdempotencyBenchOptions extends CallOptions, HttpOptions {
  systems: string[];
  parts: Part[];
}

export const DEFAULT_OPTIONS: IdempotencyBenchOptions = {
  runs: 3,
  samples: 2000,
  warmup: 500,
  seconds: 5,
  warmupSeconds: 2,
  connections: 32,
  systems: CALL_SYSTEMS.map((s) => s.id),
  parts: [...PARTS],
};

/** A smoke run: a few hundred samples, one run, 1 s of HTTP load per case. */
export const QUICK_OPTIONS: IdempotencyBenchOptions = {
  ...DEFAULT_OPTIONS,
  runs: 1,
  samples: 300,
  warmup: 100,
  seconds: 1,
  warmupSeconds: 1,
};

/** True for the full workload (every option at its default; key order does not matter). */
export const isDefault = (o: IdempotencyBenchOptions): boolean =>
  (Object.keys(DEFAULT_OPTIONS) as (keyof IdempotencyBenchOptions)[]).every(
    (k) => JSON.stringify(o[k]) === JSON.stringify(DEFAULT_OPTIONS[k]),
  );

export interface Services {
  redis: Awaited<ReturnType<typeof redisFacts>>;
  postgres: Awaited<ReturnType<typeof postgresFacts>>;
  sqlite: string;
  /** Package versions: ballast, Powertools, clients and drivers. */
  packages: Record<string, string>;
}

export interface IdempotencyBenchResult {
  startedAt: Date;
  seconds: number;
  options: IdempotencyBenchOptions;
  services: Services;
  calls: CallSystemResult[];
  http: HttpSystemResult[];
  /** One Redis round trip per client (PING p50, µs): the floor under a call that needs one. */
  roundTrip?: RoundTripFloor;
}

async function services(): Promise<Services> {
  const packages: Record<string, string> = { ballast: ballastVersion() };
  for (const name of [
    '@aws-lambda-powertools/idempotency',
    '@aws-lambda-powertools/commons',
    '@redis/client',
    'ioredis',
    'pg',
    'better-sqlite3',
  ])
    packages[name] = packageVersion(name);
  return {
    redis: await redisFacts(),
    postgres: await postgresFacts(),
    sqlite: sqliteVersion(),
    packages,
  };
}

export async function runIdempotencyBench(
  o: IdempotencyBenchOptions,
  log: (line: string) => void,
): Promise<IdempotencyBenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const facts = await services();
  // Names every key, schema and file of this benchmark run (lower-case: also a PostgreSQL schema name).
  const runId = randomBytes(3).toString('hex');
  let calls: CallSystemResult[] = [];
  let http: HttpSystemResult[] = [];
  let roundTrip: RoundTripFloor | undefined;
  if (o.parts.includes('calls')) {
    roundTrip = await measureRoundTrip(o.samples);
    log(
      `Redis round trip (PING p50): ioredis ${roundTrip.ioredis.toFixed(0)} µs, @redis/client ${roundTrip.redisClient.toFixed(0)} µs`,
    );
    log(
      `per-call overhead (${o.samples} samples after ${o.warmup} warm-up calls per case, ${o.runs} run${o.runs > 1 ? 's' : ''}):`,
    );
    calls = await runCalls(
      CALL_SYSTEMS.filter((s) => s.store === 'none' || o.systems.includes(s.id)),
      o,
      runId,
      log,
    );
  }
  if (o.parts.includes('http')) {
    log(
      `HTTP endpoint (${o.connections} connections, ${o.seconds} s per case after ${o.warmupSeconds} s warm-up, ${o.runs} run${o.runs > 1 ? 's' : ''}):`,
    );
    http = await runHttp(o, runId, log);
  }
  return {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    options: o,
    services: facts,
    calls,
    http,
    ...(roundTrip ? { roundTrip } : {}),
  };
}
