import type { Clock } from '../../core/clock.js';
import { BallastError } from '../../core/errors.js';
import type { Store, StoreCapabilities } from '../contract.js';
import { StoreConditionTracker } from '../shared/condition.js';
import { closeRedis, connectRedis } from './core/connection.js';
import { redisIdempotencyStore } from './idempotency/index.js';

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Time source for tests; by default Redis's own clock (`TIME`) decides leases and expiry. */
  clock?: Clock;
  /** Prefix of every key Ballast writes. @defaultValue 'ballast:idem:' */
  prefix?: string;
}

// No wake-ups (no queues), no transactions user code can join.
const CAPABILITIES: StoreCapabilities = {
  crossProcessWakeups: false,
  multiNode: true,
  databaseClock: true,
  synchronousTransactions: false,
};

/** The key `probeWrite` sets (under the prefix): one tiny durable write. */
const PROBE_KEY = 'probe';

/** Opens a Redis store (`redis://` / `rediss://`): the idempotency feature only. */
export async function openRedisStore(
  url: string,
  options: RedisStoreOptions = {},
): Promise<Store<'idempotency'>> {
  const redis = await connectRedis(url);
  const clock = options.clock;
  const condition = new StoreConditionTracker(() => clock?.now() ?? Date.now());
  const track = (failure: unknown): void => {
    if (failure === undefined) condition.succeeded();
    else
      condition.failed({
        code: errorCode(failure),
        reason: failure instanceof Error ? failure.message : String(failure),
      });
  };
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      const value = await fn();
      track(undefined);
      return value;
    } catch (cause) {
      track(cause);
      throw new BallastError(
        'StoreUnavailable',
        `Redis ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  };
  const prefix = options.prefix ?? 'ballast:idem:';
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeRedis(redis));
  return {
    kind: 'redis',
    features: ['idempotency'],
    capabilities: CAPABILITIES,
    idempotency: redisIdempotencyStore(redis, { ...options, prefix }, track),
    now: async () => {
      if (clock) return clock.now();
      const [seconds, micros] = await call('TIME', () => redis.time());
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    },
    ping: async () => void (await call('PING', () => redis.ping())),
    condition: () => condition.condition,
    probeWrite: async () =>
      void (await call('probe write', () => redis.set(prefix + PROBE_KEY, String(Date.now())))),
    onCondition: (listener) => condition.on(listener),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'REDIS_ERROR';
}
