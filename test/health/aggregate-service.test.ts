/**
 * The aggregate over real HTTP checkers: one read of each per round, the quorum of the fresh
 * ones; a checker that goes away stops voting once stale; with none left, the last aggregate
 * stays; a restarted checker (newer epoch) is taken at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregateService } from '../../src/health/aggregate-service.js';
import { layoutOf } from '../../src/health/layout.js';
import { healthRoutes, type SnapshotSource } from '../../src/health/routes.js';
import { encodeSnapshot } from '../../src/health/snapshot.js';
import type { Snapshot } from '../../src/health/types.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const layout = layoutOf(['a', 'b', 'c']);

/** A checker serving whatever snapshot the test sets. */
async function checker(monitorId: string): Promise<{
  url: string;
  set(states: number[], sequence: number, epoch?: number): void;
  close(): Promise<void>;
}> {
  let source: SnapshotSource = { last: undefined, layout, intervalMs: 1_000 };
  const server = serve({
    fetch: healthRoutes(() => source).fetch,
    hostname: '127.0.0.1',
    port: 0,
  }) as Server;
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(states, sequence, epoch = 1) {
      const snapshot: Snapshot = {
        formatVersion: 1,
        monitorId,
        epoch,
        sequence,
        timeMs: sequence,
        layoutVersion: layout.version,
        states: Uint8Array.from(states),
      };
      source = { last: { bytes: encodeSnapshot(snapshot), snapshot }, layout, intervalMs: 1_000 };
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe('AggregateService', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
  });

  it('publishes the quorum of fresh checkers; a dead one stops voting when stale; none left → the last aggregate', async () => {
    const clock = new FakeClock();
    const [c1, c2, c3] = await Promise.all([checker('c1'), checker('c2'), checker('c3')]);
    open.push(c1!, c2!, c3!);
    c1!.set([1, 1, 2], 1);
    c2!.set([1, 2, 2], 1);
    c3!.set([2, 2, 1], 1);
    const service = new AggregateService({
      checkers: [c1!.url, c2!.url, c3!.url],
      clock,
      intervalMs: 1_000,
      healthyShare: 0.5,
    });
    expect((await service.round()).every((r) => r.ok)).toBe(true);
    expect([...service.source().last!.snapshot.states]).toEqual([1, 2, 2]);
    expect(service.source().layout.ids).toEqual(['a', 'b', 'c']);

    // c3 goes away; c1 and c2 publish again. Until c3 is stale (3 intervals) it still votes.
    await c3!.close();
    c1!.set([1, 1, 1], 2);
    c2!.set([1, 1, 1], 2);
    clock.advance(1_000);
    const reads = await service.round();
    expect(reads.map((r) => r.ok)).toEqual([true, true, false]);
    expect([...service.source().last!.snapshot.states]).toEqual([1, 1, 1]); // 2 of 3 say healthy for every endpoint
    clock.advance(3_000);
    c1!.set([2, 1, 1], 3);
    c2!.set([2, 1, 1], 3);
    await service.round();
    expect(service.checkers().find((c) => c.monitorId === 'c3')?.fresh).toBe(false);
    expect([...service.source().last!.snapshot.states]).toEqual([2, 1, 1]);

    // Every checker gone: the last aggregate is published again, never "all unhealthy".
    await c1!.close();
    await c2!.close();
    clock.advance(10_000);
    await service.round();
    expect([...service.source().last!.snapshot.states]).toEqual([2, 1, 1]);
  });

  it('takes a restarted checker (newer epoch, sequence from 0) at once', async () => {
    const clock = new FakeClock();
    const c1 = await checker('c1');
    open.push(c1);
    c1.set([1, 1, 1], 50, 1);
    const service = new AggregateService({ checkers: [c1.url], clock });
    await service.round();
    c1.set([2, 2, 2], 0, 2);
    clock.advance(1_000);
    expect(await service.round()).toEqual([{ url: c1.url, ok: true }]);
    expect([...service.source().last!.snapshot.states]).toEqual([2, 2, 2]);
    expect(() => new AggregateService({ checkers: [] })).toThrow(/at least one/);
    expect(() => new AggregateService({ checkers: ['ftp://x'] })).toThrow(/http/);
  });
});
