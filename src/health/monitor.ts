import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../core/clock.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { BallastError } from '../core/errors.js';
import { Hysteresis } from './hysteresis.js';
import { layoutOf } from './layout.js';
import { encodeSnapshot } from './snapshot.js';
import type { HealthLayout, Probe, Snapshot } from './types.js';

/** An endpoint the monitor probes. */
export interface MonitoredEndpoint {
  readonly id: string;
  readonly probe: Probe;
}

/** Options of `HealthMonitor`. */
export interface HealthMonitorOptions {
  /** Every endpoint is probed exactly once per interval, ms. */
  intervalMs: number;
  /** A probe's deadline, ms (below `intervalMs`; rounded up to the scheduling slot). */
  timeoutMs: number;
  /** Consecutive successes that turn an endpoint healthy. */
  healthyThreshold: number;
  /** Consecutive failures that turn an endpoint unhealthy. */
  unhealthyThreshold: number;
  endpoints: readonly MonitoredEndpoint[];
  /** Largest random shift of an endpoint's phase, ms, drawn once per endpoint. @defaultValue 0 */
  jitterMs?: number;
  /** Names this monitor in its snapshots (≤ 32 bytes). @defaultValue the host name, cut to 32 bytes */
  monitorId?: string;
  /** Probes running at once. @defaultValue sized for every endpoint failing by timeout: ⌈N × (timeout + slot) / interval⌉ + one slot's worth */
  concurrency?: number;
  /** Scheduling slots per interval: probes start at slot boundaries. @defaultValue 100 (10 ms slots at 1 s) */
  slotsPerInterval?: number;
  clock?: Clock;
  /** Random source of the jitter. @defaultValue Math.random */
  random?: () => number;
}

/** What one tick did (the work a constant-work monitor must keep constant). */
export interface TickStats {
  /** The snapshot's sequence. */
  readonly sequence: number;
  readonly probesStarted: number;
  readonly probesOk: number;
  readonly probesFailed: number;
  /** Probes aborted at the timeout (counted in `probesFailed` too). */
  readonly timeouts: number;
  /** Probes not started because the pool was full (0 when it is sized for the all-failing case). */
  readonly skipped: number;
  /** Most probes in flight at once during the tick. */
  readonly maxInFlight: number;
  /** How late the tick's publication ran against its schedule, ms (the monitor's own liveness). */
  readonly lagMs: number;
  /** Endpoints whose state flipped during the tick. */
  readonly flips: number;
}

/** Called every tick with the encoded snapshot (a fresh buffer), the decoded view and the tick's work. */
export type SnapshotListener = (bytes: Buffer, snapshot: Snapshot, stats: TickStats) => void;

interface Running {
  readonly endpoints: readonly MonitoredEndpoint[];
  readonly layout: HealthLayout;
  readonly health: Hysteresis;
  /** Endpoint indexes per scheduling slot. */
  readonly slots: readonly number[][];
  /** 1 while a probe of that endpoint is in flight. */
  readonly busy: Uint8Array;
  /** Why each endpoint's latest failed probe failed (kept through later successes); undefined before one fails. */
  readonly lastErrors: (string | undefined)[];
}

const MAX_ENDPOINTS = 100_000;

/**
 * A constant-work health monitor: every endpoint is probed once per interval at a stable phase
 * (spread evenly over the interval), by a fixed pool sized for the case where every probe runs
 * to its timeout, and a full fixed-size snapshot is published every interval whether or not
 * anything changed. Failure never adds work: no re-probes, no faster intervals.
 */
export class HealthMonitor {
  readonly monitorId: string;
  readonly epoch: number;
  readonly #o: Required<Omit<HealthMonitorOptions, 'endpoints' | 'monitorId' | 'concurrency'>>;
  #running: Running;
  #pending: Running | undefined;
  #concurrency: number;
  readonly #fixedConcurrency: number | undefined;
  #inFlight = 0;
  #sequence = 0;
  #tick = newTick();
  #last: { bytes: Buffer; snapshot: Snapshot; stats: TickStats } | undefined;
  readonly #listeners = new Set<SnapshotListener>();
  #stop: AbortController | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  readonly #slotMs: number;
  readonly #timeoutSlots: number;
  /** Per slot: aborts the probes started in it once their timeout is up. */
  readonly #slotAborts: (AbortController | undefined)[];

  constructor(options: HealthMonitorOptions) {
    validate(options);
    this.#o = {
      jitterMs: 0,
      slotsPerInterval: 100,
      clock: systemClock,
      random: Math.random,
      ...options,
    };
    this.monitorId = options.monitorId ?? cutUtf8(hostname(), 32);
    this.epoch = this.#o.clock.now();
    this.#slotMs = this.#o.intervalMs / this.#o.slotsPerInterval;
    // Timeouts run on slot boundaries: rounded up, but always ending before the next interval's probe.
    this.#timeoutSlots = Math.min(
      this.#o.slotsPerInterval - 1,
      Math.max(1, Math.ceil(this.#o.timeoutMs / this.#slotMs)),
    );
    this.#slotAborts = new Array<AbortController | undefined>(this.#o.slotsPerInterval);
    this.#fixedConcurrency = options.concurrency;
    this.#running = this.#plan(options.endpoints, undefined);
    this.#concurrency = this.#poolSize(this.#running);
  }

  /** The ids the snapshot's slots refer to, and their version. */
  get layout(): HealthLayout {
    return this.#running.layout;
  }

  /** Why each endpoint's latest failed probe failed, in layout order (undefined: none failed yet). */
  get lastErrors(): readonly (string | undefined)[] {
    return this.#running.lastErrors;
  }

  /** The last snapshot published (encoded and decoded) and its tick's work; undefined before the first tick. */
  get last(): { bytes: Buffer; snapshot: Snapshot; stats: TickStats } | undefined {
    return this.#last;
  }

  /** Probes the pool runs at once (sized for every endpoint failing by timeout unless set). */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Calls `listener` after every tick; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Replaces the endpoint list from the next tick on: a new layout version; endpoints that stay
   * keep their state and streaks, new ones start unknown.
   */
  reconfigure(endpoints: readonly MonitoredEndpoint[]): HealthLayout {
    validate({ ...this.#o, endpoints });
    this.#pending = this.#plan(endpoints, this.#pending ?? this.#running);
    return this.#pending.layout;
  }

  /** Starts probing and publishing; idempotent. */
  start(): void {
    if (this.#loop) return;
    markRunning(this, `health monitor (${this.monitorId})`);
    this.#stop = new AbortController();
    this.#stopped = false;
    this.#loop = this.#run(this.#stop.signal).catch(() => undefined);
  }

  /** Stops the schedule and aborts probes in flight; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop?.abort();
    for (const a of this.#slotAborts) a?.abort();
    await this.#loop;
    this.#loop = undefined;
    markClosed(this);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #run(stop: AbortSignal): Promise<void> {
    const { clock } = this.#o;
    const slots = this.#o.slotsPerInterval;
    let due = clock.now();
    let slot = 0;
    while (!stop.aborted) {
      const wait = due - clock.now();
      if (wait > 0) {
        if (!(await clock.sleep(wait, stop))) return;
      } else {
        // Behind schedule: let finished and aborted probes free their places (and I/O run)
        // before the next slot fires, instead of firing overdue slots back to back.
        await new Promise((r) => setImmediate(r));
        if (stop.aborted) return;
      }
      // Timeouts first: the slot whose probes' time is up is the one `timeoutSlots` back.
      const expired = (slot - this.#timeoutSlots + slots * 2) % slots;
      this.#slotAborts[expired]?.abort();
      this.#slotAborts[expired] = undefined;
      if (slot === 0) {
        if (this.#sequence > 0 || this.#tick.started > 0) this.#publish(clock.now() - due);
        this.#adoptPending();
      }
      this.#fireSlot(slot);
      slot = (slot + 1) % slots;
      due += this.#slotMs;
      // A stall longer than an interval (a paused process) skips ahead: never a burst of catch-up probes.
      if (clock.now() - due > this.#o.intervalMs) {
        const behind = Math.floor((clock.now() - due) / this.#slotMs);
        // The timeouts of the skipped slots still fall due; their probes count as skipped.
        for (let k = 0; k < Math.min(behind, slots); k++) {
          this.#tick.skipped += this.#running.slots[(slot + k) % slots]?.length ?? 0;
          const expiredSkipped = (slot + k - this.#timeoutSlots + slots * 2) % slots;
          this.#slotAborts[expiredSkipped]?.abort();
          this.#slotAborts[expiredSkipped] = undefined;
        }
        due += behind * this.#slotMs;
        slot = (slot + behind) % slots;
      }
    }
  }

  #fireSlot(slot: number): void {
    const run = this.#running;
    const members = run.slots[slot];
    if (!members || members.length === 0) return;
    // A slot's last probes must be over before it fires again: normally their timeout aborted them
    // long before; after a stall the schedule skipped ahead past that abort, so do it now.
    this.#slotAborts[slot]?.abort();
    const abort = new AbortController();
    // Every probe of the slot listens on this one signal (a timer per slot, not per probe).
    setMaxListeners(0, abort.signal);
    this.#slotAborts[slot] = abort;
    for (const i of members) {
      // Still running from the last interval (cannot happen while timeout < interval), or the pool is full.
      if (run.busy[i] === 1 || this.#inFlight >= this.#concurrency) {
        this.#tick.skipped++;
        continue;
      }
      this.#startProbe(run, i, abort.signal);
    }
  }

  #startProbe(run: Running, i: number, signal: AbortSignal): void {
    run.busy[i] = 1;
    this.#inFlight++;
    const tick = this.#tick;
    tick.started++;
    if (this.#inFlight > tick.maxInFlight) tick.maxInFlight = this.#inFlight;
    run.endpoints[i]!.probe(signal).then(
      (r) => this.#finish(run, i, r.ok, signal.aborted && !r.ok, r.error),
      (error: unknown) => this.#finish(run, i, false, signal.aborted, (error as Error)?.message),
    );
  }

  #finish(run: Running, i: number, ok: boolean, timedOut: boolean, error?: string): void {
    run.busy[i] = 0;
    this.#inFlight--;
    // A result from an endpoint list replaced meanwhile, or aborted by stop(), only frees its slot.
    if (run !== this.#running || this.#stopped) return;
    const tick = this.#tick;
    if (ok) tick.ok++;
    else {
      tick.failed++;
      run.lastErrors[i] = error ?? (timedOut ? 'timed out' : 'failed');
    }
    if (timedOut) tick.timeouts++;
    if (run.health.record(i, ok)) tick.flips++;
  }

  #publish(lagMs: number): void {
    const run = this.#running;
    const snapshot: Snapshot = {
      formatVersion: 1,
      monitorId: this.monitorId,
      epoch: this.epoch,
      sequence: this.#sequence++,
      timeMs: this.#o.clock.now(),
      layoutVersion: run.layout.version,
      states: run.health.states.slice(),
    };
    const t = this.#tick;
    const stats: TickStats = {
      sequence: snapshot.sequence,
      probesStarted: t.started,
      probesOk: t.ok,
      probesFailed: t.failed,
      timeouts: t.timeouts,
      skipped: t.skipped,
      maxInFlight: t.maxInFlight,
      lagMs: Math.max(0, lagMs),
      flips: t.flips,
    };
    this.#tick = newTick();
    this.#tick.maxInFlight = this.#inFlight;
    const bytes = encodeSnapshot(snapshot);
    this.#last = { bytes, snapshot, stats };
    for (const listener of this.#listeners) {
      try {
        listener(bytes, snapshot, stats);
      } catch {
        // A failing subscriber must not stop the monitor (nor the other subscribers).
      }
    }
  }

  #adoptPending(): void {
    if (!this.#pending) return;
    this.#running = this.#pending;
    this.#pending = undefined;
    this.#concurrency = this.#poolSize(this.#running);
  }

  #poolSize(run: Running): number {
    if (this.#fixedConcurrency !== undefined) return this.#fixedConcurrency;
    // The all-failing case (Little's law): every probe holds a place for its whole timeout, and
    // the probes of a timed-out slot free theirs only after the next slot has started. So the
    // most ever in flight is the largest sum of `timeoutSlots + 1` consecutive slots.
    const sizes = run.slots.map((slot) => slot.length);
    const window = Math.min(sizes.length, this.#timeoutSlots + 1);
    let sum = 0;
    for (let i = 0; i < window; i++) sum += sizes[i]!;
    let most = sum;
    for (let i = 0; i < sizes.length; i++) {
      sum += sizes[(i + window) % sizes.length]! - sizes[i]!;
      most = Math.max(most, sum);
    }
    // Headroom of one more slot: under full load, aborted probes settle a little after their slot.
    return Math.max(1, Math.min(run.endpoints.length, most + Math.max(0, ...sizes)));
  }

  #plan(endpoints: readonly MonitoredEndpoint[], previous: Running | undefined): Running {
    const layout = layoutOf(endpoints.map((e) => e.id));
    const health = new Hysteresis(
      endpoints.length,
      this.#o.healthyThreshold,
      this.#o.unhealthyThreshold,
    );
    if (previous) {
      const before = new Map(previous.layout.ids.map((id, i) => [id, i]));
      endpoints.forEach((e, i) => {
        const j = before.get(e.id);
        if (j !== undefined) health.carry(previous.health, j, i);
      });
    }
    const slots: number[][] = Array.from({ length: this.#o.slotsPerInterval }, () => []);
    const jitterSlots = this.#o.jitterMs / this.#slotMs;
    endpoints.forEach((e, i) => {
      // A stable phase per endpoint (its id's hash), plus a jitter drawn once per run.
      const phase =
        (fnv1a(e.id) % this.#o.slotsPerInterval) + Math.floor(this.#o.random() * jitterSlots);
      slots[phase % this.#o.slotsPerInterval]!.push(i);
    });
    return {
      endpoints,
      layout,
      health,
      slots,
      busy: new Uint8Array(endpoints.length),
      lastErrors: new Array<string | undefined>(endpoints.length),
    };
  }
}

function newTick() {
  return { started: 0, ok: 0, failed: 0, timeouts: 0, skipped: 0, maxInFlight: 0, flips: 0 };
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function cutUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out || 'monitor';
}

function validate(o: HealthMonitorOptions): void {
  const bad = (message: string): never => {
    throw new BallastError('InvalidParameterValue', message);
  };
  const int = (v: number, min: number, max: number, name: string) =>
    Number.isInteger(v) && v >= min && v <= max
      ? v
      : bad(`${name} must be an integer from ${min} to ${max}`);
  int(o.intervalMs, 10, 3_600_000, 'intervalMs');
  int(o.timeoutMs, 1, o.intervalMs - 1, 'timeoutMs (below intervalMs)');
  int(o.healthyThreshold, 1, 10, 'healthyThreshold');
  int(o.unhealthyThreshold, 1, 10, 'unhealthyThreshold');
  int(o.jitterMs ?? 0, 0, o.intervalMs - 1, 'jitterMs');
  int(o.slotsPerInterval ?? 100, 1, 10_000, 'slotsPerInterval');
  if (o.concurrency !== undefined) int(o.concurrency, 1, MAX_ENDPOINTS, 'concurrency');
  if (o.endpoints.length > MAX_ENDPOINTS) bad(`at most ${MAX_ENDPOINTS} endpoints`);
  if (
    o.monitorId !== undefined &&
    (o.monitorId.length === 0 || Buffer.byteLength(o.monitorId) > 32)
  )
    bad('monitorId must be 1 to 32 bytes');
}
