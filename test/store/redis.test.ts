import { openRedisIdempotencyStore } from '../../src/store/redis/idempotency/index.js';
import { describeRedis, freshPrefix, REDIS_URL } from '../helpers/redis.js';
import { idempotencyContract } from './idempotency-contract.suite.js';

// Each test writes under a fresh key prefix, with the FakeClock injected (no Redis TIME).
describeRedis('redis store contract (idempotency)', () => {
  idempotencyContract('redis', async (clock) => {
    const store = await openRedisIdempotencyStore(REDIS_URL, { clock, prefix: freshPrefix() });
    return { idempotency: store, close: () => store.close() };
  }, { transactional: false });
});
