/**
 * The constant-work monitor under a fake clock: the same probes and the same snapshot bytes every
 * tick whatever fails; hysteresis; timeouts by the pool; phases; reconfiguration; stop.
 */
import { describe, expect, it } from 'vitest';
import { HealthMonitor, type MonitoredEndpoint, type TickStats } from '../../src/health/monitor.js';
import { decodeSnapshot } from '../../src/health/snapshot.js';
import type { Probe } from '../../src/health/types.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const INTERVAL = 1_000;
const SLOTS = 100;

/** Endpoints whose probes answer at once: failing when their id is in `down`; hanging (until aborted) when in `hang`. */
function fleet(n: number, down: Set<string>, hang = new Set<string>()): MonitoredEndpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `ep-${i}`;
    const probe: Probe = (signal) =>
      hang.has(id)
        ? new Promise((resolve) =>
            signal.addEventListener(
              'abort',
              () => resolve({ ok: false, ms: 0, error: 'timeout' }),
              { once: true },
            ),
          )
        : Promise.resolve(
            down.has(id) ? { ok: false, ms: 0, error: 'refused' } : { ok: true, ms: 0 },
          );
    return { id, probe };
  });
}

/** Runs the monitor for `ticks` intervals, slot by slot, letting probes settle; returns each tick's stats and snapshot size. */
async function runTicks(
  monitor: HealthMonitor,
  clock: FakeClock,
  ticks: number,
  beforeTick?: (tick: number) => void,
): Promise<{ stats: TickStats; bytes: number }[]> {
  const out: { stats: TickStats; bytes: number }[] = [];
  const off = monitor.subscribe((bytes, _s, stats) => out.push({ stats, bytes: bytes.length }));
  for (let t = 0; t < ticks; t++) {
    beforeTick?.(t);
    for (let s = 0; s < SLOTS; s++) {
      clock.advance(INTERVAL / SLOTS);
      await new Promise((r) => setImmediate(r));
    }
  }
  off();
  return out;
}

function monitorOf(
  endpoints: MonitoredEndpoint[],
  clock: FakeClock,
  extra: Partial<ConstructorParameters<typeof HealthMonitor>[0]> = {},
): HealthMonitor {
  return new HealthMonitor({
    intervalMs: INTERVAL,
    timeoutMs: 300,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    endpoints,
    clock,
    monitorId: 'm-test',
    ...extra,
  });
}

describe('HealthMonitor: constant work', () => {
  it('probes every endpoint once per tick and publishes same-size snapshots at 0 %, 50 %, 100 % failing and when flapping', async () => {
    const n = 1_000;
    const results: Record<string, { stats: TickStats; bytes: number }[]> = {};
    for (const scenario of ['none', 'half', 'all', 'flap'] as const) {
      const clock = new FakeClock();
      const down = new Set<string>();
      const all = Array.from({ length: n }, (_, i) => `ep-${i}`);
      const set = (ids: string[]) => {
        down.clear();
        for (const id of ids) down.add(id);
      };
      if (scenario === 'half') set(all.filter((_, i) => i % 2 === 0));
      if (scenario === 'all') set(all);
      const monitor = monitorOf(fleet(n, down), clock);
      monitor.start();
      results[scenario] = await runTicks(monitor, clock, 6, (t) => {
        if (scenario === 'flap') set(t % 2 === 0 ? all : []);
      });
      await monitor.stop();
    }
    const sizes = new Set(Object.values(results).flatMap((r) => r.map((x) => x.bytes)));
    expect(sizes.size).toBe(1);
    for (const [scenario, ticks] of Object.entries(results)) {
      expect(ticks.length, scenario).toBeGreaterThanOrEqual(5);
      // The first tick after start may be partial; every full tick probes each endpoint exactly once.
      for (const { stats } of ticks.slice(1)) {
        expect(stats.probesStarted, scenario).toBe(n);
        expect(stats.skipped, scenario).toBe(0);
      }
    }
    const last = results.all!.at(-1)!.stats;
    expect(last.probesFailed).toBe(n);
    expect(results.none!.at(-1)!.stats.probesOk).toBe(n);
  });

  it('hanging endpoints are aborted at the timeout by a pool sized for all of them, with no extra probes', async () => {
    const clock = new FakeClock();
    const n = 500;
    const hang = new Set(Array.from({ length: n }, (_, i) => `ep-${i}`));
    const monitor = monitorOf(fleet(n, new Set(), hang), clock);
    expect(monitor.concurrency).toBeGreaterThanOrEqual(Math.ceil((n * 300) / INTERVAL));
    expect(monitor.concurrency).toBeLessThan(n);
    monitor.start();
    const ticks = await runTicks(monitor, clock, 5);
    await monitor.stop();
    for (const { stats } of ticks.slice(1)) {
      expect(stats.probesStarted).toBe(n);
      expect(stats.skipped).toBe(0);
      expect(stats.maxInFlight).toBeLessThanOrEqual(monitor.concurrency);
    }
    expect(ticks.at(-1)!.stats.timeouts).toBe(n);
    expect(decodeSnapshot(monitor.last!.bytes).states.every((s) => s === 2)).toBe(true);
  });
});

describe('HealthMonitor: state', () => {
  it('hysteresis: a failure shows within unhealthyThreshold + 1 ticks, recovery after healthyThreshold successes', async () => {
    const clock = new FakeClock();
    const down = new Set<string>();
    const monitor = monitorOf(fleet(10, down), clock);
    const index = monitor.layout.ids.indexOf('ep-4');
    // history[k] = ep-4's state in the snapshot published at the end of tick k.
    const history: number[] = [];
    monitor.subscribe((_b, snapshot) => history.push(snapshot.states[index]!));
    monitor.start();
    await runTicks(monitor, clock, 12, (t) => {
      if (t === 3) down.add('ep-4');
      if (t === 8) down.clear();
    });
    await monitor.stop();
    // Unknown until 2 successes (healthyThreshold), then healthy.
    expect(history.slice(0, 3)).toEqual([0, 1, 1]);
    // Failing from tick 3 (3 failures needed): unhealthy in the snapshot of tick 3 + 3 - 1 at the latest + 1 tick.
    const firstUnhealthy = history.indexOf(2);
    expect(firstUnhealthy).toBeGreaterThanOrEqual(3 + 3 - 1);
    expect(firstUnhealthy - 3 + 1).toBeLessThanOrEqual(3 + 1);
    // Healthy again after 2 successes from tick 8.
    const recovered = history.indexOf(1, firstUnhealthy);
    expect(recovered).toBeGreaterThanOrEqual(8 + 2 - 1);
    expect(recovered - 8 + 1).toBeLessThanOrEqual(2 + 1);
    expect(history.slice(firstUnhealthy, recovered).every((s) => s === 2)).toBe(true);
  });

  it('spreads probes evenly over the interval, at a stable phase per endpoint', async () => {
    const clock = new FakeClock();
    const n = 10_000;
    const startedAt = new Map<string, number>();
    const endpoints: MonitoredEndpoint[] = Array.from({ length: n }, (_, i) => ({
      id: `ep-${i}`,
      probe: async () => {
        if (!startedAt.has(`ep-${i}`)) startedAt.set(`ep-${i}`, clock.now() % INTERVAL);
        return { ok: true, ms: 0 };
      },
    }));
    const monitor = monitorOf(endpoints, clock);
    monitor.start();
    await runTicks(monitor, clock, 2);
    await monitor.stop();
    const perSlot = new Array<number>(SLOTS).fill(0);
    for (const t of startedAt.values()) perSlot[Math.floor(t / (INTERVAL / SLOTS)) % SLOTS]!++;
    expect(Math.max(...perSlot)).toBeLessThan(2 * (n / SLOTS));
    expect(Math.min(...perSlot)).toBeGreaterThan(0.5 * (n / SLOTS));
    // Another monitor with the same ids puts each endpoint in the same slot.
    const again = new Map<string, number>();
    const clock2 = new FakeClock();
    const m2 = monitorOf(
      endpoints.map((e) => ({
        id: e.id,
        probe: async () => (
          again.has(e.id) || again.set(e.id, clock2.now() % INTERVAL),
          { ok: true, ms: 0 }
        ),
      })),
      clock2,
    );
    m2.start();
    await runTicks(m2, clock2, 2);
    await m2.stop();
    expect([...again].every(([id, t]) => t === startedAt.get(id))).toBe(true);
  });

  it('reconfigure: a new layout from the next tick; kept endpoints keep their state, new ones start unknown', async () => {
    const clock = new FakeClock();
    const down = new Set(['ep-1']);
    const monitor = monitorOf(fleet(4, down), clock);
    monitor.start();
    await runTicks(monitor, clock, 5);
    const before = monitor.layout;
    const layout = monitor.reconfigure([
      ...fleet(4, down).filter((e) => e.id !== 'ep-0'),
      { id: 'new-1', probe: () => new Promise(() => undefined) },
    ]);
    expect(layout.version).not.toBe(before.version);
    const seen: number[] = [];
    monitor.subscribe((_b, s) => seen.push(s.layoutVersion));
    await runTicks(monitor, clock, 2);
    await monitor.stop();
    expect(seen.at(-1)).toBe(layout.version);
    const states = decodeSnapshot(monitor.last!.bytes).states;
    expect(layout.ids).toEqual(['ep-1', 'ep-2', 'ep-3', 'new-1']);
    expect([...states]).toEqual([2, 1, 1, 0]);
  });

  it('a throwing subscriber does not stop the monitor; stop() aborts probes in flight without recording them', async () => {
    const clock = new FakeClock();
    const monitor = monitorOf(fleet(20, new Set(), new Set(['ep-3'])), clock);
    monitor.subscribe(() => {
      throw new Error('subscriber bug');
    });
    monitor.start();
    const ticks = await runTicks(monitor, clock, 4);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const before = [...decodeSnapshot(monitor.last!.bytes).states];
    await monitor.stop();
    expect([...decodeSnapshot(monitor.last!.bytes).states]).toEqual(before);
  });

  it('a stall longer than an interval skips ahead without a burst, and no probe of a skipped slot is left hanging', async () => {
    const clock = new FakeClock();
    const n = 300;
    const hang = new Set(Array.from({ length: n }, (_, i) => `ep-${i}`));
    const monitor = monitorOf(fleet(n, new Set(), hang), clock);
    monitor.start();
    await runTicks(monitor, clock, 2);
    // The process is paused for 3.5 intervals (a long GC, a frozen VM): time jumps.
    clock.advance(3.5 * INTERVAL);
    await new Promise((r) => setImmediate(r));
    const after = await runTicks(monitor, clock, 4);
    await monitor.stop();
    // Once past the stall, every tick probes every endpoint again: nothing is stuck as busy.
    for (const { stats } of after.slice(2)) {
      expect(stats.probesStarted).toBe(n);
      expect(stats.skipped).toBe(0);
    }
  });

  it('refuses invalid settings', () => {
    const clock = new FakeClock();
    expect(() => monitorOf(fleet(1, new Set()), clock, { timeoutMs: INTERVAL })).toThrow(
      /timeoutMs/,
    );
    expect(() => monitorOf(fleet(1, new Set()), clock, { unhealthyThreshold: 0 })).toThrow(
      /unhealthyThreshold/,
    );
    expect(() => monitorOf(fleet(1, new Set()), clock, { monitorId: 'x'.repeat(33) })).toThrow(
      /monitorId/,
    );
  });
});
