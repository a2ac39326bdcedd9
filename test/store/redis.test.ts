import { openRedisStore } from '../../src/store/redis/driver.js';
import { describeRedis, freshPrefix, REDIS_URL } from '../helpers/redis.js';
import { contractSuites } from './contract-suites.js';

// Each test writes under a fresh key prefix, with the FakeClock injected (no Redis TIME).
describeRedis('redis store contract', () => {
  contractSuites({
    url: REDIS_URL,
    open: (clock) => openRedisStore(REDIS_URL, { clock, prefix: freshPrefix() }),
    transactional: false,
  });
});
