import { readFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { layoutOf } from './layout.js';
import { decodeSnapshot, SnapshotError } from './snapshot.js';
import { type EndpointState, type HealthLayout, type Snapshot, STATE_CODES } from './types.js';

/** Resolves a layout version to its ids (e.g. from `GET /v1/health/layout`); undefined when unknown. */
export type LayoutResolver = (
  version: number,
) => HealthLayout | undefined | Promise<HealthLayout | undefined>;

/** Options of `SnapshotConsumer`. */
export interface SnapshotConsumerOptions {
  /** Accept only this monitor's snapshots. @defaultValue any monitor's (one publisher per consumer) */
  monitorId?: string;
  clock?: Clock;
  /** `stale` turns true after this long without an applied snapshot, ms. @defaultValue 3 × the interval seen between applies, or 10,000 before two applies */
  staleAfterMs?: number;
  /** Looks up a layout version the consumer does not know yet. @defaultValue none: only layouts passed to `apply` */
  layouts?: LayoutResolver;
  /** Where the last good snapshot and its layout are kept (one file, replaced atomically); `open` loads it. @defaultValue not kept */
  persistPath?: string;
  /** Where problems go (a corrupt persisted file, a failed write, a throwing listener or resolver). @defaultValue ignored */
  onError?: (message: string, error: unknown) => void;
}

/** Why `apply` refused a snapshot (the consumer then keeps what it had). */
export type RejectReason = 'corrupt' | 'older' | 'duplicate' | 'other-monitor' | 'unknown-layout';

/** What `apply` did. */
export type ApplyResult = { applied: true } | { applied: false; reason: RejectReason };

/** Snapshots applied and refused (by reason) since the consumer was created. */
export interface ConsumerCounters {
  readonly applied: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
}

/** Called after each applied snapshot with it and its layout. */
export type ConsumerListener = (snapshot: Snapshot, layout: HealthLayout) => void;

/** The file `persistPath` holds: the snapshot bytes (base64) and the ids they refer to. */
interface PersistedFile {
  format: 1;
  appliedAt: number;
  snapshot: string;
  layout: { version: number; ids: string[] };
}

const DEFAULT_STALE_AFTER_MS = 10_000;
// Gaps between applies remembered for the stale threshold; the shortest wins so that one outage does not stretch it.
const GAPS_KEPT = 4;
// Layouts resolved ahead of the snapshot that needs them; a few cover a layout change racing a rollback.
const LAYOUTS_KEPT = 4;

/**
 * Applies whole snapshots of one monitor, never deltas, and stays statically stable: a corrupt,
 * older, duplicate or foreign snapshot, or one on a layout it cannot resolve, changes nothing;
 * `stale` reports silence but never changes a state. `apply` is synchronous; `applyAsync` also
 * waits for an asynchronous `layouts` resolver. Use `SnapshotConsumer.open` to load `persistPath`.
 */
export class SnapshotConsumer {
  readonly #o: SnapshotConsumerOptions & { clock: Clock };
  readonly #createdAt: number;
  readonly #listeners = new Set<ConsumerListener>();
  readonly #resolved = new Map<number, HealthLayout>();
  readonly #resolving = new Map<number, Promise<void>>();
  readonly #gaps: number[] = [];
  readonly #rejected: Record<RejectReason, number> = {
    corrupt: 0,
    older: 0,
    duplicate: 0,
    'other-monitor': 0,
    'unknown-layout': 0,
  };
  #applied = 0;
  #snapshot: Snapshot | undefined;
  #layout: HealthLayout | undefined;
  #slots = new Map<string, number>();
  #lastAppliedAt: number | undefined;
  #liveAppliedAt: number | undefined;
  #bytes: Uint8Array | undefined;
  #layoutJson: string | undefined;
  #pendingWrite = false;
  #writing: Promise<void> | undefined;

  /** A consumer with no state yet (it does not read `persistPath`; `open` does). */
  constructor(options: SnapshotConsumerOptions = {}) {
    const { staleAfterMs } = options;
    if (staleAfterMs !== undefined && !(Number.isFinite(staleAfterMs) && staleAfterMs > 0)) {
      throw new BallastError(
        'InvalidParameterValue',
        `staleAfterMs must be a positive number of ms, got ${staleAfterMs}`,
      );
    }
    this.#o = { ...options, clock: options.clock ?? systemClock };
    this.#createdAt = this.#o.clock.now();
  }

  /** A consumer serving the snapshot kept at `persistPath`, if any; a missing or corrupt file gives an empty one (never throws for it). */
  static async open(options: SnapshotConsumerOptions = {}): Promise<SnapshotConsumer> {
    const consumer = new SnapshotConsumer(options);
    if (options.persistPath !== undefined) await consumer.#load(options.persistPath);
    return consumer;
  }

  /**
   * Applies a whole snapshot if it is intact, from the expected monitor, newer by (epoch,
   * sequence), and on a known layout (`layout`, the current one, or one `layouts` returns at once).
   */
  apply(bytes: Uint8Array, layout?: HealthLayout): ApplyResult {
    const snapshot = decodeOrUndefined(bytes);
    if (!snapshot) return this.#reject('corrupt');
    const refusal = this.#refusal(snapshot);
    if (refusal) return this.#reject(refusal);
    const known = this.#knownLayout(snapshot, layout, true);
    return known ? this.#commit(snapshot, known, bytes) : this.#reject('unknown-layout');
  }

  /** As `apply`, but first waits for an asynchronous `layouts` resolver when the layout is new. */
  async applyAsync(bytes: Uint8Array, layout?: HealthLayout): Promise<ApplyResult> {
    const snapshot = decodeOrUndefined(bytes);
    if (!snapshot) return this.#reject('corrupt');
    let refusal = this.#refusal(snapshot);
    if (refusal) return this.#reject(refusal);
    let known = this.#knownLayout(snapshot, layout, true);
    if (!known) {
      // The caller may reuse its buffer while we wait, so it is copied first.
      bytes = bytes.slice();
      await this.#resolving.get(snapshot.layoutVersion);
      // Another snapshot may have been applied meanwhile.
      refusal = this.#refusal(snapshot);
      if (refusal) return this.#reject(refusal);
      known = this.#knownLayout(snapshot, undefined, false);
    }
    return known ? this.#commit(snapshot, known, bytes) : this.#reject('unknown-layout');
  }

  /** The state of endpoint `id` in the last applied snapshot; 'unknown' when it is not in the layout. */
  state(id: string): EndpointState {
    const slot = this.#slots.get(id);
    if (slot === undefined || !this.#snapshot) return 'unknown';
    return STATE_CODES[this.#snapshot.states[slot]!] ?? 'unknown';
  }

  /** The ids healthy in the last applied snapshot, in layout order. */
  healthyIds(): string[] {
    const out: string[] = [];
    const states = this.#snapshot?.states;
    const ids = this.#layout?.ids;
    if (!states || !ids) return out;
    for (let i = 0; i < states.length; i++) if (states[i] === 1) out.push(ids[i]!);
    return out;
  }

  /** The last applied snapshot (decoded; treat as read-only), or undefined before the first. */
  get snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }

  /** The layout of the last applied snapshot. */
  get layout(): HealthLayout | undefined {
    return this.#layout;
  }

  /** When the last snapshot was applied (clock ms; kept across restarts with `persistPath`). */
  get lastAppliedAt(): number | undefined {
    return this.#lastAppliedAt;
  }

  /** The current stale threshold, ms (the option, else 3 × the shortest of the last 4 gaps between applies, else 10,000). */
  get staleAfterMs(): number {
    if (this.#o.staleAfterMs !== undefined) return this.#o.staleAfterMs;
    return this.#gaps.length > 0 ? 3 * Math.min(...this.#gaps) : DEFAULT_STALE_AFTER_MS;
  }

  /**
   * True when nothing was applied for `staleAfterMs` (counted from creation before the first
   * apply). Only a signal: the states stay as they were — no data is never "all unhealthy".
   */
  get stale(): boolean {
    return this.#o.clock.now() - (this.#lastAppliedAt ?? this.#createdAt) > this.staleAfterMs;
  }

  /** Applied and rejected counts (a copy). */
  get counters(): ConsumerCounters {
    return { applied: this.#applied, rejected: { ...this.#rejected } };
  }

  /** Calls `listener` after each applied snapshot (a throwing listener is reported, not rethrown); returns the unsubscribe. */
  subscribe(listener: ConsumerListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry: ConsumerListener = (s, l) => listener(s, l);
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /** Resolves when the last applied snapshot is written to `persistPath` (at once without one). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #commit(snapshot: Snapshot, layout: HealthLayout, bytes: Uint8Array): ApplyResult {
    const now = this.#o.clock.now();
    // Only gaps between applies of this process: the time since a persisted apply includes our own downtime.
    if (this.#liveAppliedAt !== undefined && now > this.#liveAppliedAt) {
      this.#gaps.push(now - this.#liveAppliedAt);
      if (this.#gaps.length > GAPS_KEPT) this.#gaps.shift();
    }
    this.#liveAppliedAt = now;
    this.#install(snapshot, layout, now);
    this.#applied++;
    this.#persist(bytes);
    for (const listener of this.#listeners) {
      try {
        listener(snapshot, layout);
      } catch (error) {
        this.#report('a snapshot listener threw', error);
      }
    }
    return { applied: true };
  }

  /** Why `snapshot` cannot replace the current one, before its layout is considered. */
  #refusal(snapshot: Snapshot): RejectReason | undefined {
    if (this.#o.monitorId !== undefined && snapshot.monitorId !== this.#o.monitorId)
      return 'other-monitor';
    const held = this.#snapshot;
    if (!held) return undefined;
    if (snapshot.epoch !== held.epoch) return snapshot.epoch > held.epoch ? undefined : 'older';
    if (snapshot.sequence === held.sequence) return 'duplicate';
    return snapshot.sequence > held.sequence ? undefined : 'older';
  }

  /**
   * The verified layout of `snapshot`'s version: the current one, `given`, or a resolved one; with
   * `ask`, an unknown version is looked up (a synchronous answer is used at once, an asynchronous
   * one is kept for the next snapshot — the next full snapshot is at most an interval away).
   */
  #knownLayout(
    snapshot: Snapshot,
    given: HealthLayout | undefined,
    ask: boolean,
  ): HealthLayout | undefined {
    const version = snapshot.layoutVersion;
    const count = snapshot.states.length;
    const fits = (l: HealthLayout | undefined): l is HealthLayout =>
      l !== undefined && l.version === version && l.ids.length === count;
    if (fits(this.#layout)) return this.#layout;
    if (fits(given)) {
      const verified = this.#verify(given);
      if (verified) return verified;
    }
    let cached = this.#resolved.get(version);
    if (!cached && ask && this.#o.layouts && !this.#resolving.has(version)) {
      const answer = this.#ask(version);
      if (answer && !(answer instanceof Promise)) cached = this.#remember(answer);
      // Not awaited: apply() stays synchronous; #track catches and reports the resolver's failure.
      else if (answer) void this.#track(version, answer);
    }
    return fits(cached) ? cached : undefined;
  }

  #ask(version: number): HealthLayout | undefined | Promise<HealthLayout | undefined> {
    try {
      return this.#o.layouts?.(version);
    } catch (error) {
      this.#report(`the layouts resolver threw for version ${version}`, error);
      return undefined;
    }
  }

  #track(version: number, answer: Promise<HealthLayout | undefined>): Promise<void> {
    const done = answer
      .then((layout) => void (layout && this.#remember(layout)))
      .catch((error: unknown) =>
        this.#report(`the layouts resolver failed for version ${version}`, error),
      )
      .finally(() => this.#resolving.delete(version));
    this.#resolving.set(version, done);
    return done;
  }

  /** Keeps a resolved layout once its ids are checked against its version. */
  #remember(layout: HealthLayout): HealthLayout | undefined {
    const verified = this.#verify(layout);
    if (!verified) return undefined;
    this.#resolved.set(verified.version, verified);
    if (this.#resolved.size > LAYOUTS_KEPT)
      this.#resolved.delete(this.#resolved.keys().next().value!);
    return verified;
  }

  /** `layout` rebuilt from its ids when they hash to its version (a layout may arrive as untrusted JSON). */
  #verify(layout: HealthLayout): HealthLayout | undefined {
    try {
      const rebuilt = layoutOf(layout.ids);
      if (rebuilt.version === layout.version) return rebuilt;
      this.#report(`layout ${layout.version}: its ids hash to ${rebuilt.version}`, undefined);
    } catch (error) {
      this.#report(`layout ${layout.version} is invalid`, error);
    }
    return undefined;
  }

  #install(snapshot: Snapshot, layout: HealthLayout, appliedAt: number): void {
    if (layout !== this.#layout) {
      this.#slots = new Map(layout.ids.map((id, i) => [id, i]));
      this.#layoutJson = undefined;
    }
    this.#snapshot = snapshot;
    this.#layout = layout;
    this.#lastAppliedAt = appliedAt;
  }

  #reject(reason: RejectReason): ApplyResult {
    this.#rejected[reason]++;
    return { applied: false, reason };
  }

  #report(message: string, error: unknown): void {
    try {
      this.#o.onError?.(message, error);
    } catch {
      // A throwing error handler must not turn a refused snapshot into a failed apply.
    }
  }

  #persist(bytes: Uint8Array): void {
    if (this.#o.persistPath === undefined) return;
    // A copy: the caller may reuse its buffer (a monitor does, every tick) before the write runs.
    this.#bytes = bytes.slice();
    this.#pendingWrite = true;
    // Writes are coalesced: however fast snapshots arrive, at most one write runs and one waits.
    this.#writing ??= this.#drain(this.#o.persistPath);
  }

  async #drain(path: string): Promise<void> {
    try {
      while (this.#pendingWrite) {
        this.#pendingWrite = false;
        try {
          await writeFileAtomic(path, this.#fileText());
        } catch (error) {
          this.#report(`cannot write ${path}`, error);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  #fileText(): string {
    const layout = this.#layout!;
    const bytes = this.#bytes!;
    // The ids are serialised once per layout, not once per snapshot.
    this.#layoutJson ??= JSON.stringify({ version: layout.version, ids: layout.ids });
    const head = JSON.stringify({
      format: 1,
      appliedAt: this.#lastAppliedAt,
      snapshot: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    }).slice(0, -1);
    return `${head},"layout":${this.#layoutJson}}\n`;
  }

  async #load(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#report(`cannot read ${path}; starting empty`, error);
      return;
    }
    try {
      const file = JSON.parse(text) as Partial<PersistedFile> | null;
      if (
        file?.format !== 1 ||
        typeof file.snapshot !== 'string' ||
        typeof file.appliedAt !== 'number' ||
        !file.layout ||
        !Array.isArray(file.layout.ids)
      ) {
        throw new Error('not a persisted snapshot (format 1)');
      }
      const bytes = Buffer.from(file.snapshot, 'base64');
      const snapshot = decodeSnapshot(bytes);
      const layout = layoutOf(file.layout.ids);
      if (
        layout.version !== file.layout.version ||
        layout.version !== snapshot.layoutVersion ||
        layout.ids.length !== snapshot.states.length
      ) {
        throw new Error('the layout does not match the snapshot');
      }
      if (this.#refusal(snapshot) !== undefined)
        throw new Error(`the snapshot is from monitor ${JSON.stringify(snapshot.monitorId)}`);
      this.#install(snapshot, layout, file.appliedAt);
      this.#bytes = bytes;
    } catch (error) {
      this.#report(`${path} is not a usable snapshot; starting empty`, error);
    }
  }
}

function decodeOrUndefined(bytes: Uint8Array): Snapshot | undefined {
  try {
    return decodeSnapshot(bytes);
  } catch (error) {
    if (error instanceof SnapshotError) return undefined;
    throw error;
  }
}
