/**
 * The systems of the per-call measurement: the same handler called directly (no idempotency),
 * through Ballast on SQLite, PostgreSQL and Redis, and through Powertools for AWS Lambda's
 * `makeIdempotent` on the same Redis.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { createClient } from '@redis/client';
import { REDIS_URL } from '../queue/services.js';
import { deleteRedisKeys, freshStore, openBallastIdempotency, type StoreKind } from './stores.js';

/** The request every system handles (the same object on every call; the key changes). */
export interface Input {
  amount: number;
  currency: string;
  customer: string;
}
export const INPUT: Input = { amount: 42, currency: 'EUR', customer: 'c_123' };

/** What the handler answers. */
export interface Reply {
  id: number;
  ok: true;
  echo: number;
}

/** The one handler all systems wrap: tiny and async; counts its executions. */
export class Handler {
  executions = 0;
  readonly fn = async (input: Input): Promise<Reply> => ({
    id: ++this.executions,
    ok: true,
    echo: input.amount,
  });
}

/** One run's open system. */
export interface CallTarget {
  /** One call with idempotency key `key`; resolves with the reply (live or replayed). */
  call(key: string, input: Input): Promise<Reply>;
  /** A string in every Redis key this system writes (for counting its commands); absent off Redis. */
  redisMarker?: string;
  /** Closes connections and removes what the run stored. */
  close(): Promise<void>;
}

export interface CallSystem {
  id: string;
  label: string;
  store: StoreKind | 'none';
  /** An extra configuration: reported, but not part of the targets. */
  extra?: boolean;
  open(run: string, handler: Handler): Promise<CallTarget>;
}

const baseline: CallSystem = {
  id: 'none',
  label: 'no idempotency (the handler called directly)',
  store: 'none',
  open: async (_run, handler) => ({
    call: (_key, input) => handler.fn(input),
    close: async () => undefined,
  }),
};

/** Ballast on a fresh store; `relaxed`: SQLite with `?synchronous=normal` (no fdatasync per call), an extra row. */
function ballast(kind: StoreKind, relaxed = false): CallSystem {
  return {
    id: `ballast-${kind}${relaxed ? '-normal' : ''}`,
    label: relaxed
      ? 'Ballast on SQLite with `?synchronous=normal` (extra: commits without fdatasync, not durable across power loss)'
      : `Ballast on ${kind === 'sqlite' ? 'SQLite' : kind === 'postgres' ? 'PostgreSQL' : 'Redis'}`,
    store: kind,
    extra: relaxed,
    async open(run, handler) {
      const store = await freshStore(kind, run);
      const url = relaxed ? `${store.url}?synchronous=normal` : store.url;
      const { idem, close } = await openBallastIdempotency(url, store.prefix).catch(
        async (error: unknown) => {
          await store.dispose();
          throw error;
        },
      );
      return {
        call: async (key, input) => (await idem.run({ key, input }, () => handler.fn(input))).value,
        ...(kind === 'redis' ? { redisMarker: store.prefix } : {}),
        async close() {
          await close();
          await store.dispose();
        },
      };
    },
  };
}

/** What `registerLambdaContext` needs outside Lambda: the in-progress expiry comes from the remaining time. */
const FAKE_LAMBDA_CONTEXT = {
  functionName: 'bench-idempotency',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 15 * 60_000,
};

/**
 * Powertools' `makeIdempotent` over its Redis (`CachePersistenceLayer` + `@redis/client`) store:
 * defaults (the whole payload is the key, MD5; no payload validation; 1 h expiry), local cache
 * off unless `useLocalCache`. The per-call key travels in the payload, as it has no separate one.
 */
function powertools(useLocalCache: boolean): CallSystem {
  return {
    id: useLocalCache ? 'powertools-redis-local-cache' : 'powertools-redis',
    label: useLocalCache
      ? 'Powertools on Redis, with `useLocalCache: true` (extra)'
      : 'Powertools on Redis (defaults: no local cache)',
    store: 'redis',
    extra: useLocalCache,
    async open(run, handler) {
      const keyPrefix = `powertools-bench-idem:${run}`;
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => undefined);
      await client.connect();
      const config = new IdempotencyConfig({ useLocalCache });
      config.registerLambdaContext(FAKE_LAMBDA_CONTEXT);
      const persistenceStore = new CachePersistenceLayer({ client });
      const fn = makeIdempotent(
        (payload: Input & { idempotencyKey: string }) => handler.fn(payload),
        { persistenceStore, config, keyPrefix },
      );
      return {
        call: (key, input) => fn({ idempotencyKey: key, ...input }),
        redisMarker: keyPrefix,
        async close() {
          await client.close();
          await deleteRedisKeys(keyPrefix);
        },
      };
    },
  };
}

/** Every system, in report order (the baseline first). */
export const CALL_SYSTEMS: readonly CallSystem[] = [
  baseline,
  ballast('sqlite'),
  ballast('postgres'),
  ballast('redis'),
  powertools(false),
  powertools(true),
  ballast('sqlite', true),
];
