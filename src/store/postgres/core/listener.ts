import pg from 'pg';
import type { WakeListener } from '../../contract.js';
import { WakeHub } from '../../shared/wake.js';
import { ident } from './db.js';
import { toStoreError } from './errors.js';

/** Local wake-ups that also know which queues have listeners (to wake them all after a gap). */
export class Wakeups {
  readonly #hub = new WakeHub();
  readonly #counts = new Map<number, number>();

  /** Registers a listener; returns its (idempotent) unsubscribe function. */
  on(queueId: number, listener: WakeListener): () => void {
    this.#counts.set(queueId, (this.#counts.get(queueId) ?? 0) + 1);
    const off = this.#hub.on(queueId, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const left = (this.#counts.get(queueId) ?? 1) - 1;
      if (left > 0) this.#counts.set(queueId, left);
      else this.#counts.delete(queueId);
    };
  }

  fire(queueId: number): void {
    this.#hub.fire(queueId);
  }

  /** Wakes every queue with a listener (a NOTIFY may have been missed). */
  fireAll(): void {
    for (const queueId of [...this.#counts.keys()]) this.#hub.fire(queueId);
  }
}

/** Reconnect delays: 100 ms doubling to 5 s, with jitter so nodes do not reconnect in step. */
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/**
 * The store's one LISTEN connection (outside the pool). Each notification on `channel` wakes
 * the local listeners of the queue id in its payload. When the connection is lost (server
 * restart, `pg_terminate_backend`, network) it reconnects by itself with backoff, never
 * throwing, and once back wakes every local listener: a NOTIFY may have been sent meanwhile.
 */
export class NotifyListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #wake: Wakeups;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #connecting = false;
  #closed = false;
  /** Times the listener came back after losing its connection (for tests and metrics). */
  reconnects = 0;

  constructor(config: pg.ClientConfig, channel: string, wake: Wakeups) {
    this.#config = { ...config, keepAlive: true };
    this.#channel = channel;
    this.#wake = wake;
  }

  /** True while LISTEN is active. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Connects and LISTENs; rejects with `StoreUnavailable` if the first connection fails. */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      throw toStoreError(error, 'LISTEN connection');
    }
  }

  /** Stops listening and reconnecting; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  /**
   * A hint that the server answers again (a pooled query just succeeded): while waiting in
   * backoff, reconnect now instead of at the end of the delay.
   */
  poke(): void {
    if (this.#closed || this.#client !== undefined || this.#timer === undefined || this.#connecting)
      return;
    clearTimeout(this.#timer);
    this.#attempt();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    // Registered before connect: a client without an 'error' listener crashes the process.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (n) => {
      if (n.channel !== this.#channel || n.payload === undefined) return;
      const queueId = Number(n.payload);
      if (Number.isSafeInteger(queueId)) this.#wake.fire(queueId);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ident(this.#channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#closed || this.#client !== client) return;
    this.#client = undefined;
    void client.end().catch(() => undefined);
    this.#retry();
  }

  #retry(): void {
    if (this.#closed) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.#failures);
    const delay = base / 2 + Math.random() * (base / 2);
    this.#timer = setTimeout(() => this.#attempt(), delay);
    // A store that is not closed keeps its pool; the listener's retries alone never keep the process alive.
    this.#timer.unref();
  }

  #attempt(): void {
    this.#timer = undefined;
    this.#connecting = true;
    this.#connect().then(
      () => {
        this.#connecting = false;
        if (this.#closed) return;
        this.#failures = 0;
        this.reconnects++;
        this.#wake.fireAll();
      },
      () => {
        this.#connecting = false;
        this.#failures++;
        this.#retry();
      },
    );
  }
}
