/** `ballast/idempotency`: idempotency keys over the Ballast store (this slice: the core; HTTP, Redis and clients follow). */
export { createIdempotency, Idempotency, ReplayedError, scopedKey, type IdempotencyOptions, type RunRequest, type RunResult } from './idempotency.js';
export { canonicalJson, fingerprintOf } from './fingerprint.js';
export { idempotentFetch, type IdempotentFetchOptions } from './client.js';
export { expressIdempotency, type HttpIdempotencyOptions } from './http/node.js';
export { readIdempotencyKey, type KeyHeader } from './http/key.js';
export { honoIdempotency, type HonoIdempotencyOptions } from './http/hono.js';
export { fastifyIdempotency, type FastifyIdempotencyOptions } from './http/fastify.js';
