import { performance } from 'node:perf_hooks';
import type { Payload } from './types.js';

/** Target size of one serialised payload, bytes. */
export const PAYLOAD_BYTES = 200;

const PAD_BASE = 'x'.repeat(PAYLOAD_BYTES);

/** A payload whose JSON is ~200 bytes (exact for seq < 10^9 and a t with few digits; a few bytes more otherwise). */
export function payload(seq: number, t = 0): Payload {
  const skeleton = JSON.stringify({ seq, t: 0, pad: '' }).length;
  return { seq, t, pad: PAD_BASE.slice(0, Math.max(0, PAYLOAD_BYTES - skeleton)) };
}

/** `count` payloads numbered from 0. */
export function payloads(count: number): Payload[] {
  return Array.from({ length: count }, (_, i) => payload(i));
}

/** Runs `task(i)` for i in [0, count) with at most `inFlight` running at once. */
export async function bounded(
  count: number,
  inFlight: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
}

/** Splits `items` into chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds elapsed since `start` (a performance.now() value). */
export const since = (start: number): number => performance.now() - start;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0–100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

/** Waits until `check()` is true, polling every `everyMs`; false if `timeoutMs` passes first. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  everyMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
