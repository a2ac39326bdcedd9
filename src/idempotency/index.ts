/** `ballast/idempotency`: idempotency keys on SQLite, PostgreSQL or Redis; HTTP middleware; idempotent client retries. */
export {
  createIdempotency,
  Idempotency,
  ReplayedError,
  scopedKey,
  type IdempotencyOptions,
  type RunContext,
  type RunRequest,
  type RunResult,
} from './idempotency.js';
export { canonicalJson, fingerprintOf } from './fingerprint.js';
export { idempotentFetch, type IdempotentFetchOptions } from './client.js';
export { expressIdempotency, type HttpIdempotencyOptions } from './http/node.js';
export { readIdempotencyKey, type KeyHeader } from './http/key.js';
export { honoIdempotency, type HonoIdempotencyOptions } from './http/hono.js';
export { fastifyIdempotency, type FastifyIdempotencyOptions } from './http/fastify.js';
export type { StoreTransaction } from '../store/idempotency-contract.js';
// The drivers' handles (they complete StoreTransaction by declaration merging), by name.
export type { PostgresTransaction, SqliteTransaction } from '../store/registry.js';
export {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  IdempotencyLeaseLostError,
} from './errors.js';
