import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../core/clock.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { writeFileAtomic } from './atomic-file.js';
import { readHealthConfig } from './config.js';
import { HealthMonitor, type MonitoredEndpoint, type TickStats } from './monitor.js';
import { createProbeAgents, probeFor } from './probes.js';
import type { SnapshotSource } from './routes.js';
import type { HealthConfig, Snapshot } from './types.js';

/** Options of `HealthService.start`. */
export interface HealthServiceOptions {
  /** The JSON config file (re-read every `reloadEveryMs`; a bad edit is reported and the running config kept). */
  configPath: string;
  /** Also write every snapshot to this file (atomically replaced), and its layout to `<file>.layout.json`. */
  snapshotFile?: string;
  /** Called with every snapshot (e.g. to put it on the event bus); errors are reported, not thrown. */
  onSnapshot?: (bytes: Buffer, snapshot: Snapshot, stats: TickStats) => void | Promise<void>;
  /** How often the config file is read again, ms. @defaultValue 5 × the config's interval */
  reloadEveryMs?: number;
  /** Where problems go (bad config edits, snapshot file errors). @defaultValue ignored */
  onError?: (message: string, error?: unknown) => void;
  clock?: Clock;
}

/**
 * A health monitor run from a config file: probes built from the config (a new connection per
 * HTTP probe, or shared keep-alive agents with `reuseConnections`), snapshots published to subscribers, a file and a callback, and the
 * config file watched by reading it again at a fixed rate (itself constant work).
 */
export class HealthService {
  #monitor: HealthMonitor;
  #config: HealthConfig;
  #configHash: string;
  #configError: string | undefined;
  readonly #agents = createProbeAgents();
  readonly #o: HealthServiceOptions & { clock: Clock };
  readonly #stop = new AbortController();
  #reloading: Promise<void> | undefined;
  #unsubscribe: () => void = () => undefined;

  private constructor(
    options: HealthServiceOptions & { clock: Clock },
    config: HealthConfig,
    hash: string,
  ) {
    this.#o = options;
    this.#config = config;
    this.#configHash = hash;
    this.#monitor = this.#build(config);
  }

  /** Reads and validates the config (a bad file fails here, with every problem named), then starts probing. */
  static async start(options: HealthServiceOptions): Promise<HealthService> {
    const text = await readFile(options.configPath, 'utf8');
    const config = await readHealthConfig(options.configPath);
    const service = new HealthService({ clock: systemClock, ...options }, config, hashOf(text));
    markRunning(service, `health service (${options.configPath})`);
    service.#monitor.start();
    service.#reloading = service.#reloadLoop();
    return service;
  }

  /** The running monitor (replaced when a config edit changes its timing). */
  get monitor(): HealthMonitor {
    return this.#monitor;
  }

  /** The config in force. */
  get config(): HealthConfig {
    return this.#config;
  }

  /** Why the last config edit was refused (the running config stays), if it was. */
  get configError(): string | undefined {
    return this.#configError;
  }

  /** What the HTTP routes serve (`healthRoutes(() => service.source())`). */
  source(): SnapshotSource {
    return {
      last: this.#monitor.last,
      layout: this.#monitor.layout,
      intervalMs: this.#config.intervalMs,
      configError: this.#configError,
      lastErrors: this.#monitor.lastErrors,
    };
  }

  /** Reads the config file now: applies a valid change; keeps the running config otherwise. */
  async reload(): Promise<'unchanged' | 'applied' | 'refused'> {
    let text: string;
    try {
      text = await readFile(this.#o.configPath, 'utf8');
    } catch (error) {
      return this.#refuse(`cannot read ${this.#o.configPath}: ${(error as Error).message}`, error);
    }
    const hash = hashOf(text);
    if (hash === this.#configHash) return 'unchanged';
    let next: HealthConfig;
    try {
      next = await readHealthConfig(this.#o.configPath);
    } catch (error) {
      this.#configHash = hash; // report a bad edit once, not every read
      return this.#refuse((error as Error).message, error);
    }
    this.#configHash = hash;
    this.#configError = undefined;
    const timing = (c: HealthConfig) =>
      [
        c.intervalMs,
        c.timeoutMs,
        c.healthyThreshold,
        c.unhealthyThreshold,
        c.jitterMs ?? 0,
        c.monitorId ?? '',
        c.reuseConnections ?? false,
      ].join();
    if (timing(next) === timing(this.#config)) {
      this.#monitor.reconfigure(this.#endpoints(next));
    } else {
      // New timing needs a new schedule: a new monitor (a newer epoch, which consumers accept).
      const old = this.#monitor;
      this.#unsubscribe();
      this.#monitor = this.#build(next);
      await old.stop();
      this.#monitor.start();
    }
    this.#config = next;
    return 'applied';
  }

  /** Stops probing and the config reader. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#reloading;
    this.#unsubscribe();
    await this.#monitor.stop();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
    markClosed(this);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #build(config: HealthConfig): HealthMonitor {
    const monitor = new HealthMonitor({
      intervalMs: config.intervalMs,
      timeoutMs: config.timeoutMs,
      healthyThreshold: config.healthyThreshold,
      unhealthyThreshold: config.unhealthyThreshold,
      endpoints: this.#endpoints(config),
      clock: this.#o.clock,
      ...(config.jitterMs !== undefined ? { jitterMs: config.jitterMs } : {}),
      ...(config.monitorId !== undefined ? { monitorId: config.monitorId } : {}),
    });
    this.#unsubscribe = monitor.subscribe((bytes, snapshot, stats) =>
      this.#published(monitor, bytes, snapshot, stats),
    );
    return monitor;
  }

  #endpoints(config: HealthConfig): MonitoredEndpoint[] {
    const agents = config.reuseConnections === true ? this.#agents : undefined;
    return config.endpoints.map((e) => ({ id: e.id, probe: probeFor(e, agents) }));
  }

  #published(monitor: HealthMonitor, bytes: Buffer, snapshot: Snapshot, stats: TickStats): void {
    const { snapshotFile, onSnapshot, onError } = this.#o;
    if (snapshotFile) {
      // The layout goes first: a reader that sees a new snapshot can always find its ids.
      void writeFileAtomic(`${snapshotFile}.layout.json`, JSON.stringify(monitor.layout))
        .then(() => writeFileAtomic(snapshotFile, bytes))
        .catch((error: unknown) =>
          onError?.(`cannot write ${snapshotFile}: ${(error as Error).message}`, error),
        );
    }
    if (onSnapshot) {
      Promise.resolve()
        .then(() => onSnapshot(bytes, snapshot, stats))
        .catch((error: unknown) =>
          onError?.(`snapshot subscriber failed: ${(error as Error).message}`, error),
        );
    }
  }

  async #reloadLoop(): Promise<void> {
    const every = this.#o.reloadEveryMs ?? 5 * this.#config.intervalMs;
    while (await this.#o.clock.sleep(every, this.#stop.signal))
      await this.reload().catch(() => undefined);
  }

  #refuse(message: string, error: unknown): 'refused' {
    this.#configError = message;
    this.#o.onError?.(`config not applied, the running one stays: ${message}`, error);
    return 'refused';
  }
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
