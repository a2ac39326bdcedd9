import { Redis } from 'ioredis';
import { BallastError } from '../../../core/errors.js';

/** The URL with its password masked, for messages. */
export const maskedUrl = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');

/** Connects to Redis at `url` (`redis://` or `rediss://`); `StoreUnavailable` when it cannot. */
export async function connectRedis(url: string): Promise<Redis> {
  // While Redis is down, calls fail at once (StoreUnavailable: the caller answers 503 or retries
  // its fenced writes) instead of queueing behind a growing reconnect backoff; reconnects are
  // tried every 50–500 ms.
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (cause) {
    redis.disconnect();
    throw new BallastError('StoreUnavailable', `cannot reach Redis at ${maskedUrl(url)}`, {
      cause,
    });
  }
  return redis;
}

/** Ends the connection (QUIT, or a hard disconnect when Redis does not answer). */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
