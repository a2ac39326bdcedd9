/**
 * A statically stable consumer: whole snapshots only, ordered by (epoch, sequence); anything it
 * cannot trust changes nothing, silence only marks it stale, and its state survives a restart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '../../src/health/layout.js';
import { SnapshotConsumer } from '../../src/health/snapshot-consumer.js';
import { encodeSnapshot } from '../../src/health/snapshot.js';
import type { HealthLayout } from '../../src/health/types.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const abc = layoutOf(['a', 'b', 'c']);

function bytes(
  sequence: number,
  states: number[],
  o: { layout?: HealthLayout; epoch?: number; monitorId?: string } = {},
): Buffer {
  return encodeSnapshot({
    formatVersion: 1,
    monitorId: o.monitorId ?? 'm1',
    epoch: o.epoch ?? 1_000,
    sequence,
    timeMs: 1_000 + sequence * 1_000,
    layoutVersion: (o.layout ?? abc).version,
    states: Uint8Array.from(states),
  });
}

const tempFile = (): string => join(mkdtempSync(join(tmpdir(), 'ballast-health-')), 'health.last');

describe('SnapshotConsumer', () => {
  it('applies newer snapshots and rejects older, duplicate, corrupt and foreign ones without changing anything', () => {
    const consumer = new SnapshotConsumer({ monitorId: 'm1', clock: new FakeClock() });
    expect(consumer.state('a')).toBe('unknown');
    expect(consumer.apply(bytes(5, [1, 2, 0]), abc)).toEqual({ applied: true });
    const held = consumer.snapshot;
    expect([
      consumer.state('a'),
      consumer.state('b'),
      consumer.state('c'),
      consumer.state('zz'),
    ]).toEqual(['healthy', 'unhealthy', 'unknown', 'unknown']);
    expect(consumer.apply(bytes(4, [2, 2, 2]))).toEqual({ applied: false, reason: 'older' });
    expect(consumer.apply(bytes(5, [2, 2, 2]))).toEqual({ applied: false, reason: 'duplicate' });
    const corrupt = bytes(9, [2, 2, 2]);
    corrupt[corrupt.length - 1] = 0b00_10_10_10 ^ 0b1;
    expect(consumer.apply(corrupt)).toEqual({ applied: false, reason: 'corrupt' });
    expect(consumer.apply(bytes(9, [2, 2, 2], { monitorId: 'm2' }))).toEqual({
      applied: false,
      reason: 'other-monitor',
    });
    expect(consumer.apply(bytes(4, [2, 2, 2], { epoch: 999 }))).toEqual({
      applied: false,
      reason: 'older',
    });
    expect(consumer.snapshot).toBe(held);
    expect(consumer.healthyIds()).toEqual(['a']);
    // The layout is known now, so it need not be passed again.
    expect(consumer.apply(bytes(6, [1, 1, 2]))).toEqual({ applied: true });
    expect(consumer.healthyIds()).toEqual(['a', 'b']);
    expect(consumer.counters).toEqual({
      applied: 2,
      rejected: { corrupt: 1, older: 2, duplicate: 1, 'other-monitor': 1, 'unknown-layout': 0 },
    });
  });

  it('accepts a restarted monitor: a newer epoch with its sequence back at 0', () => {
    const consumer = new SnapshotConsumer({ clock: new FakeClock() });
    consumer.apply(bytes(500, [1, 1, 1]), abc);
    expect(consumer.apply(bytes(0, [2, 1, 1], { epoch: 2_000 }))).toEqual({ applied: true });
    expect(consumer.state('a')).toBe('unhealthy');
    expect(consumer.apply(bytes(501, [1, 1, 1]))).toEqual({ applied: false, reason: 'older' });
  });

  it('keeps the last state on an unknown layout, and applies a layout change once the layout is supplied', () => {
    const consumer = new SnapshotConsumer({ clock: new FakeClock() });
    consumer.apply(bytes(1, [1, 2, 1]), abc);
    const grown = layoutOf(['a', 'b', 'c', 'd']);
    expect(consumer.apply(bytes(2, [2, 2, 2, 1], { layout: grown }))).toEqual({
      applied: false,
      reason: 'unknown-layout',
    });
    // A layout whose ids do not hash to its version is not trusted.
    expect(
      consumer.apply(bytes(2, [2, 2, 2, 1], { layout: grown }), {
        version: grown.version,
        ids: ['a', 'b', 'c', 'x'],
      }),
    ).toEqual({ applied: false, reason: 'unknown-layout' });
    expect(consumer.layout).toEqual(abc);
    expect(consumer.healthyIds()).toEqual(['a', 'c']);
    expect(consumer.apply(bytes(2, [2, 2, 2, 1], { layout: grown }), grown)).toEqual({
      applied: true,
    });
    expect(consumer.state('d')).toBe('healthy');
    const shrunk = layoutOf(['d', 'b']);
    expect(consumer.apply(bytes(3, [1, 1], { layout: shrunk }), shrunk)).toEqual({ applied: true });
    expect([consumer.state('a'), consumer.state('b'), consumer.state('d')]).toEqual([
      'unknown',
      'healthy',
      'healthy',
    ]);
    expect(consumer.layout?.ids).toEqual(['d', 'b']);
  });

  it('resolves new layouts through `layouts`, synchronously or not', async () => {
    const grown = layoutOf(['a', 'b', 'c', 'd']);
    const asked: number[] = [];
    const sync = new SnapshotConsumer({
      clock: new FakeClock(),
      layouts: (v) => (asked.push(v), v === grown.version ? grown : undefined),
    });
    expect(sync.apply(bytes(1, [1, 1, 1]))).toEqual({ applied: false, reason: 'unknown-layout' });
    expect(sync.apply(bytes(2, [1, 1, 1, 2], { layout: grown }))).toEqual({ applied: true });
    expect(asked).toEqual([abc.version, grown.version]);

    const later = new SnapshotConsumer({
      clock: new FakeClock(),
      layouts: async (v) =>
        v === abc.version ? { version: abc.version, ids: [...abc.ids] } : undefined,
    });
    expect(await later.applyAsync(bytes(1, [2, 1, 1]))).toEqual({ applied: true });
    expect(later.state('a')).toBe('unhealthy');
    // The synchronous `apply` starts the lookup and applies the next snapshot once it has answered.
    const lazy = new SnapshotConsumer({ clock: new FakeClock(), layouts: async () => abc });
    expect(lazy.apply(bytes(1, [1, 1, 1]))).toEqual({ applied: false, reason: 'unknown-layout' });
    await new Promise((r) => setImmediate(r));
    expect(lazy.apply(bytes(2, [1, 1, 1]))).toEqual({ applied: true });
  });

  it('turns stale when snapshots stop, and keeps every state', () => {
    const clock = new FakeClock();
    const consumer = new SnapshotConsumer({ clock });
    expect(consumer.stale).toBe(false);
    expect(consumer.staleAfterMs).toBe(10_000);
    for (let seq = 1; seq <= 3; seq++) {
      consumer.apply(bytes(seq, [1, 2, 1]), abc);
      clock.advance(1_000);
    }
    // Applies 1 s apart: stale after 3 s of silence.
    expect(consumer.staleAfterMs).toBe(3_000);
    expect(consumer.lastAppliedAt).toBe(clock.now() - 1_000);
    clock.advance(2_000);
    expect(consumer.stale).toBe(false);
    clock.advance(1);
    expect(consumer.stale).toBe(true);
    clock.advance(3_600_000);
    expect(consumer.healthyIds()).toEqual(['a', 'c']);
    expect(consumer.state('b')).toBe('unhealthy');
    expect(consumer.apply(bytes(4, [1, 1, 1]))).toEqual({ applied: true });
    expect(consumer.stale).toBe(false);
    // One long outage does not stretch the threshold: the shortest recent gap counts.
    expect(consumer.staleAfterMs).toBe(3_000);
    expect(new SnapshotConsumer({ clock, staleAfterMs: 500 }).staleAfterMs).toBe(500);
  });

  it('persists the last good snapshot and serves it after a restart, before any publisher answers', async () => {
    const path = tempFile();
    const clock = new FakeClock();
    const first = await SnapshotConsumer.open({ persistPath: path, clock });
    expect(first.snapshot).toBeUndefined();
    const reused = bytes(7, [1, 2, 1]);
    first.apply(reused, abc);
    // The caller reusing its buffer must not change what is written.
    reused.fill(0);
    await first.flush();
    const restarted = await SnapshotConsumer.open({ persistPath: path, clock, monitorId: 'm1' });
    expect(restarted.snapshot).toEqual(first.snapshot);
    expect(restarted.layout).toEqual(abc);
    expect(restarted.healthyIds()).toEqual(['a', 'c']);
    expect(restarted.lastAppliedAt).toBe(first.lastAppliedAt);
    expect(restarted.apply(bytes(7, [2, 2, 2]))).toEqual({ applied: false, reason: 'duplicate' });
    expect(restarted.apply(bytes(8, [2, 2, 1]))).toEqual({ applied: true });
    await restarted.flush();
    expect((await SnapshotConsumer.open({ persistPath: path })).healthyIds()).toEqual(['c']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      format: 1,
      layout: { version: abc.version, ids: ['a', 'b', 'c'] },
    });
    // A file from another monitor is not served as this one's.
    expect(
      (await SnapshotConsumer.open({ persistPath: path, monitorId: 'm2' })).snapshot,
    ).toBeUndefined();
  });

  it('starts empty, without throwing, from a missing or corrupt file', async () => {
    const errors: string[] = [];
    const onError = (message: string) => void errors.push(message);
    expect(
      (await SnapshotConsumer.open({ persistPath: tempFile(), onError })).snapshot,
    ).toBeUndefined();
    expect(errors).toEqual([]);
    const path = tempFile();
    const good = await SnapshotConsumer.open({ persistPath: path });
    good.apply(bytes(1, [1, 1, 1]), abc);
    await good.flush();
    const text = await readFile(path, 'utf8');
    const file = JSON.parse(text) as { snapshot: string };
    const flipped = Buffer.from(file.snapshot, 'base64');
    flipped[10] = (flipped[10] ?? 0) ^ 0x40;
    for (const corrupt of [
      '',
      '{',
      'null',
      '{"format":1}',
      text.slice(0, 50),
      JSON.stringify({ ...file, snapshot: flipped.toString('base64') }),
      text.replace('"b"', '"x"'),
    ]) {
      writeFileSync(path, corrupt);
      const consumer = await SnapshotConsumer.open({ persistPath: path, onError });
      expect(consumer.snapshot).toBeUndefined();
      expect(consumer.state('a')).toBe('unknown');
    }
    expect(errors).toHaveLength(7);
  });

  it('calls subscribers after each applied snapshot until they unsubscribe', () => {
    const consumer = new SnapshotConsumer({ clock: new FakeClock() });
    const seen: number[] = [];
    const unsubscribe = consumer.subscribe(
      (s, layout) => void seen.push(layout.version === abc.version ? s.sequence : -1),
    );
    consumer.subscribe(() => {
      throw new Error('a broken listener does not stop the others');
    });
    consumer.apply(bytes(1, [1, 1, 1]), abc);
    consumer.apply(bytes(1, [1, 1, 1]), abc);
    consumer.apply(bytes(2, [1, 1, 1]), abc);
    unsubscribe();
    consumer.apply(bytes(3, [1, 1, 1]), abc);
    expect(seen).toEqual([1, 2]);
  });
});
