/**
 * The floor under every Redis-backed idempotency call: one round trip (a PING) with each client
 * the benchmark uses, sequential, p50 over many samples.
 */
import { createClient } from '@redis/client';
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { REDIS_URL } from '../queue/services.js';

/** p50 of one PING round trip, µs, per client. */
export interface RoundTripFloor {
  ioredis: number;
  redisClient: number;
}

async function p50(call: () => Promise<unknown>, samples: number): Promise<number> {
  for (let i = 0; i < Math.min(500, samples); i++) await call();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await call();
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Measures the PING round trip of ioredis (Ballast's client) and @redis/client (Powertools'). */
export async function measureRoundTrip(samples: number): Promise<RoundTripFloor> {
  const io = new Redis(REDIS_URL);
  const rc = createClient({ url: REDIS_URL });
  rc.on('error', () => undefined);
  await rc.connect();
  try {
    return {
      ioredis: await p50(() => io.ping(), samples),
      redisClient: await p50(() => rc.ping(), samples),
    };
  } finally {
    io.disconnect();
    await rc.close();
  }
}
