/**
 * Redis for tests: where it is and whether it must be there. URL from `BALLAST_REDIS_URL`
 * (default redis://127.0.0.1:6379). When Redis is unreachable its suites are skipped with a
 * warning, unless it is required (`CI=true` or `BALLAST_REQUIRE_REDIS=1`): then they fail loudly.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.BALLAST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.CI === 'true' || process.env.BALLAST_REQUIRE_REDIS === '1';

async function reachable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
const up = await reachable();

/** `describe` for a suite that needs Redis (see the module comment). */
export function describeRedis(name: string, body: () => void): void {
  if (up) return void describe(name, body);
  if (required) {
    describe(name, () =>
      it('reaches Redis', () => {
        throw new Error(
          `Redis not reachable at ${REDIS_URL}, and it is required here (CI=true or BALLAST_REQUIRE_REDIS=1)`,
        );
      }),
    );
    return;
  }
  console.warn(
    `skipping "${name}": Redis not reachable at ${REDIS_URL} (set BALLAST_REQUIRE_REDIS=1 to fail instead)`,
  );
  describe.skip(name, body);
}

/** A key prefix no other test uses. */
export const freshPrefix = (): string => `ballast-test:${randomBytes(6).toString('hex')}:`;
