import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from '../core/connection.js';
import type { Clock } from '../../../core/clock.js';
import { BallastError } from '../../../core/errors.js';
import type {
  BeginOutcome,
  IdempotencyRecord,
  IdempotencyStore,
} from '../../idempotency-contract.js';

/** Options of the Redis idempotency store. */
export interface RedisIdempotencyOptions {
  /** Time source for tests; by default Redis's own clock (`TIME`) decides leases and expiry. */
  clock?: Clock;
  /** Prefix of every key Ballast writes. @defaultValue 'ballast:idem:' */
  prefix?: string;
}

// Every operation is one Lua script: Redis runs it atomically, so concurrent callers on any
// number of processes see one order. `now` is ARGV[1] when a clock is injected, else Redis TIME.
const NOW = `local now = tonumber(ARGV[1])
if not now then local t = redis.call('TIME'); now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;

// Redis drops a key this long after its logical expiry (the `exp` field decides; the key's own
// TTL only frees memory, and must never beat `exp`, even under an injected test clock).
const GRACE = 60_000;

// A record: hash fields fp, st (p = in progress, c = completed), fence, lease, out, err, cat
// (created), dat (completed), exp (logical expiry). The key's own TTL frees memory; `exp` decides.
const BEGIN = `${NOW}
local fp, leaseMs, ttl = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'fp', 'st', 'fence', 'lease', 'out', 'err', 'cat', 'dat', 'exp')
if (not h[1]) or tonumber(h[9]) <= now then
  local fence = (tonumber(h[3]) or 0) + 1
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'fp', fp, 'st', 'p', 'fence', fence, 'lease', now + leaseMs, 'err', '0', 'cat', now, 'exp', now + ttl)
  redis.call('PEXPIRE', KEYS[1], ttl + ${GRACE})
  return {'acquired', fence, 0}
end
if h[1] ~= fp then return {'mismatch'} end
if h[2] == 'c' then return {'completed', h[5], h[6], h[8]} end
if tonumber(h[4]) > now then return {'inProgress', h[4]} end
local fence = tonumber(h[3]) + 1
redis.call('HSET', KEYS[1], 'fence', fence, 'lease', now + leaseMs)
return {'acquired', fence, 1}`;

const HELD = `local h = redis.call('HMGET', KEYS[1], 'fence', 'st')
if h[1] ~= ARGV[2] or h[2] ~= 'p' then return 0 end`;

// Completing again with the fence that completed it says yes: a retry after an unknown outcome.
const COMPLETE = `${NOW}
local c = redis.call('HMGET', KEYS[1], 'fence', 'st')
if c[1] == ARGV[2] and c[2] == 'c' then return 1 end
${HELD}
local ttl = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'st', 'c', 'out', ARGV[3], 'err', ARGV[4], 'dat', now, 'exp', now + ttl)
redis.call('PEXPIRE', KEYS[1], ttl + ${GRACE})
return 1`;

const RELEASE = `${HELD}
redis.call('DEL', KEYS[1])
return 1`;

const EXTEND = `${NOW}
${HELD}
redis.call('HSET', KEYS[1], 'lease', now + tonumber(ARGV[3]))
return 1`;

const GET = `${NOW}
local h = redis.call('HMGET', KEYS[1], 'fp', 'st', 'fence', 'lease', 'out', 'err', 'cat', 'exp')
if (not h[1]) or tonumber(h[8]) <= now then return false end
return h`;

// Deletes the keys of one SCAN page whose logical expiry passed (Redis's TTL removes the rest).
const SWEEP = `${NOW}
local n = 0
for _, k in ipairs(KEYS) do
  local exp = tonumber(redis.call('HGET', k, 'exp'))
  if exp and exp <= now then redis.call('DEL', k); n = n + 1 end
end
return n`;

/**
 * Opens the Redis idempotency store alone (`redis://host:port/db`): see `redisIdempotencyStore`;
 * `close()` ends the connection. `openStore('redis://…')` opens the same as a store.
 */
export async function openRedisIdempotencyStore(
  url: string,
  options: RedisIdempotencyOptions = {},
): Promise<IdempotencyStore & { close(): Promise<void> }> {
  const redis = await connectRedis(url);
  return { ...redisIdempotencyStore(redis, options), close: () => closeRedis(redis) };
}

/**
 * The idempotency feature on a Redis connection: records are hashes, every operation one Lua
 * script. Redis keeps what its persistence settings keep: without AOF (`appendfsync everysec`
 * or stricter) a Redis restart forgets records. `onCall` hears every call's outcome (the
 * store's write condition).
 */
export function redisIdempotencyStore(
  redis: Redis,
  options: RedisIdempotencyOptions = {},
  onCall?: (failure: unknown) => void,
): IdempotencyStore {
  const prefix = options.prefix ?? 'ballast:idem:';
  const now = (): string => (options.clock ? String(options.clock.now()) : '');
  // Each script is sent once and then called by its SHA (ioredis falls back to EVAL on NOSCRIPT).
  const commandOf = new Map<string, string>();
  const scripts = [BEGIN, COMPLETE, RELEASE, EXTEND, GET, SWEEP];
  for (const [i, script] of scripts.entries()) {
    commandOf.set(script, `ballastIdem${i}`);
    redis.defineCommand(`ballastIdem${i}`, { lua: script });
  }
  const commands = redis as unknown as Record<
    string,
    (...args: (string | number)[]) => Promise<unknown>
  >;
  const run = async <T>(script: string, keys: string[], args: (string | number)[]): Promise<T> => {
    try {
      const result = (await commands[commandOf.get(script)!]!(
        keys.length,
        ...keys,
        now(),
        ...args.map(String),
      )) as T;
      onCall?.(undefined);
      return result;
    } catch (cause) {
      onCall?.(cause);
      throw new BallastError(
        'StoreUnavailable',
        `Redis idempotency call failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  };
  const k = (scopeKey: string): string => prefix + scopeKey;
  return {
    async begin(scopeKey, fingerprint, leaseMs, ttlMs): Promise<BeginOutcome> {
      const r = await run<(string | number)[]>(BEGIN, [k(scopeKey)], [fingerprint, leaseMs, ttlMs]);
      switch (r[0]) {
        case 'acquired':
          return { kind: 'acquired', fence: Number(r[1]), tookOver: Number(r[2]) === 1 };
        case 'mismatch':
          return { kind: 'mismatch' };
        case 'completed':
          return {
            kind: 'completed',
            outcome: String(r[1] ?? 'null'),
            isError: r[2] === '1',
            completedAt: Number(r[3]),
          };
        default:
          return { kind: 'inProgress', leaseUntil: Number(r[1]) };
      }
    },
    complete: async (scopeKey, fence, outcome, isError, ttlMs) =>
      (await run<number>(COMPLETE, [k(scopeKey)], [fence, outcome, isError ? '1' : '0', ttlMs])) ===
      1,
    release: async (scopeKey, fence) => (await run<number>(RELEASE, [k(scopeKey)], [fence])) === 1,
    extend: async (scopeKey, fence, leaseMs) =>
      (await run<number>(EXTEND, [k(scopeKey)], [fence, leaseMs])) === 1,
    async get(scopeKey): Promise<IdempotencyRecord | undefined> {
      const h = await run<(string | null)[] | null>(GET, [k(scopeKey)], []);
      if (!h) return undefined;
      return {
        scopeKey,
        fingerprint: h[0] ?? '',
        status: h[1] === 'c' ? 'completed' : 'in_progress',
        fence: Number(h[2]),
        leaseUntil: Number(h[3]),
        outcome: h[4] ?? null,
        isError: h[5] === '1',
        createdAt: Number(h[6]),
        expiresAt: Number(h[7]),
      };
    },
    async removeExpired(limit) {
      let removed = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
        cursor = next;
        if (keys.length > 0) removed += await run<number>(SWEEP, keys, []);
      } while (cursor !== '0' && removed < limit);
      return removed;
    },
  };
}
