import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { canonicalJson } from '../idempotency/fingerprint.js';
import { writeFileAtomic } from './atomic-file.js';
import { Every, ScheduledService } from './every.js';

/**
 * Full-state configuration distribution (the Hyperplane/S3 loop): the publisher writes the WHOLE
 * document every interval, changed or not; subscribers fetch and apply the whole document every
 * interval, validate it, and keep the last good one on any failure. No deltas: a lost or corrupt
 * update heals at the next tick, and a missing publisher changes nothing.
 */

/** The envelope written every interval. */
export interface ConfigEnvelope<T> {
  /** Format of the envelope (1). */
  readonly format: 1;
  /** When the publisher started (epoch ms): a restarted publisher's sequence starts again in a newer epoch. */
  readonly epoch: number;
  /** Grows by one with every write within an epoch. */
  readonly sequence: number;
  /** When it was written (epoch ms). */
  readonly publishedAt: number;
  /** SHA-256 (hex) of the document's canonical JSON: a subscriber applies only an intact document. */
  readonly checksum: string;
  readonly document: T;
}

/** Where envelopes go and come from. */
export interface ConfigChannel {
  write(text: string): Promise<void>;
  read(): Promise<string>;
}

/** A channel over a file replaced atomically (readers never see half a document). */
export function fileChannel(path: string): ConfigChannel {
  return { write: (text) => writeFileAtomic(path, text), read: () => readFile(path, 'utf8') };
}

/** A channel that reads the latest envelope over HTTP(S) GET (subscribers only; serve `publisher.latest` yourself). */
export function httpChannel(url: string, timeoutMs = 5_000): ConfigChannel {
  return {
    write: () =>
      Promise.reject(
        new BallastError(
          'UnsupportedOperation',
          'an HTTP config channel is read-only: serve ConfigPublisher.latest',
        ),
      ),
    async read() {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    },
  };
}

/** The checksum of a document: SHA-256 of its canonical JSON (key order does not matter). */
export const configChecksum = (document: unknown): string =>
  createHash('sha256').update(canonicalJson(document)).digest('hex');

/** Options of `ConfigPublisher`. */
export interface ConfigPublisherOptions<T> {
  /** The whole current configuration (called every interval). */
  load: () => T | Promise<T>;
  channel: ConfigChannel;
  /** ms between writes. @defaultValue 5,000 */
  intervalMs?: number;
  clock?: Clock;
  /** Called when a write or `load` fails (the next tick tries again). */
  onError?: (error: unknown) => void;
}

/** Writes the whole configuration document every interval, whether or not it changed. */
export class ConfigPublisher<T> extends ScheduledService {
  readonly epoch: number;
  #sequence = 0;
  #latest: string | undefined;
  readonly #o: Required<Omit<ConfigPublisherOptions<T>, 'onError'>> &
    Pick<ConfigPublisherOptions<T>, 'onError'>;

  constructor(options: ConfigPublisherOptions<T>) {
    super('health config publisher');
    this.#o = { intervalMs: 5_000, clock: systemClock, ...options };
    this.epoch = this.#o.clock.now();
    this.schedule(
      new Every(
        this.#o.clock,
        this.#o.intervalMs,
        () => this.publishOnce(),
        (error) => this.#o.onError?.(error),
      ),
    );
  }

  /** The last envelope written (JSON text), e.g. to serve over HTTP. */
  get latest(): string | undefined {
    return this.#latest;
  }

  /** Writes one envelope now. */
  async publishOnce(): Promise<ConfigEnvelope<T>> {
    const document = await this.#o.load();
    const envelope: ConfigEnvelope<T> = {
      format: 1,
      epoch: this.epoch,
      sequence: this.#sequence++,
      publishedAt: this.#o.clock.now(),
      checksum: configChecksum(document),
      document,
    };
    const text = JSON.stringify(envelope);
    await this.#o.channel.write(text);
    this.#latest = text;
    return envelope;
  }
}

/** Options of `ConfigSubscriber`. */
export interface ConfigSubscriberOptions<T> {
  channel: ConfigChannel;
  /** Checks a document and returns it typed; throws to refuse it (the last good one stays). */
  validate: (document: unknown) => T;
  /** Called with each newly applied document (a different checksum than the current one). */
  onApply?: (document: T, envelope: ConfigEnvelope<T>) => void;
  /** ms between fetches. @defaultValue 5,000 */
  intervalMs?: number;
  /** After this long without a good fetch the subscriber reports `stale` (and keeps the document), ms. @defaultValue 3 × intervalMs */
  staleAfterMs?: number;
  clock?: Clock;
}

/** Why a fetch did not change the configuration. */
export type ConfigRefusal = 'unreadable' | 'malformed' | 'bad-checksum' | 'invalid' | 'older';

/** Fetches and applies the whole configuration every interval; keeps the last good one on any failure. */
export class ConfigSubscriber<T> extends ScheduledService {
  #current: { document: T; envelope: ConfigEnvelope<T> } | undefined;
  #lastGoodAt: number | undefined;
  #lastRefusal: { reason: ConfigRefusal; error?: string } | undefined;
  readonly #o: ConfigSubscriberOptions<T> & { intervalMs: number; clock: Clock };

  constructor(options: ConfigSubscriberOptions<T>) {
    super('health config subscriber');
    this.#o = { intervalMs: 5_000, clock: systemClock, ...options };
    // An onApply that throws must not end the loop (Every reports and goes on).
    this.schedule(new Every(this.#o.clock, this.#o.intervalMs, () => this.refresh()));
  }

  /** The document in force (the last good one), if any. */
  get current(): T | undefined {
    return this.#current?.document;
  }

  /** Why the last fetch was refused, if it was. */
  get lastRefusal(): { reason: ConfigRefusal; error?: string } | undefined {
    return this.#lastRefusal;
  }

  /** True when no good envelope arrived for `staleAfterMs` (the document in force stays in force). */
  get stale(): boolean {
    const after = this.#o.staleAfterMs ?? 3 * this.#o.intervalMs;
    return this.#lastGoodAt === undefined || this.#o.clock.now() - this.#lastGoodAt > after;
  }

  /** Fetches once: applies a good, newer document; otherwise keeps the current one and says why. */
  async refresh(): Promise<{ applied: boolean; refusal?: ConfigRefusal }> {
    const refuse = (reason: ConfigRefusal, error?: unknown) => {
      this.#lastRefusal = {
        reason,
        ...(error !== undefined
          ? { error: error instanceof Error ? error.message : String(error) }
          : {}),
      };
      return { applied: false, refusal: reason };
    };
    let text: string;
    try {
      text = await this.#o.channel.read();
    } catch (error) {
      return refuse('unreadable', error);
    }
    let envelope: ConfigEnvelope<unknown>;
    try {
      envelope = JSON.parse(text) as ConfigEnvelope<unknown>;
      if (
        envelope?.format !== 1 ||
        !Number.isSafeInteger(envelope.epoch) ||
        !Number.isSafeInteger(envelope.sequence) ||
        typeof envelope.checksum !== 'string'
      ) {
        return refuse('malformed');
      }
    } catch (error) {
      return refuse('malformed', error);
    }
    if (configChecksum(envelope.document) !== envelope.checksum) return refuse('bad-checksum');
    const held = this.#current?.envelope;
    if (
      held &&
      (envelope.epoch < held.epoch ||
        (envelope.epoch === held.epoch && envelope.sequence < held.sequence))
    )
      return refuse('older');
    let document: T;
    try {
      document = this.#o.validate(envelope.document);
    } catch (error) {
      return refuse('invalid', error);
    }
    this.#lastGoodAt = this.#o.clock.now();
    this.#lastRefusal = undefined;
    const changed = held?.checksum !== envelope.checksum;
    this.#current = { document, envelope: envelope as ConfigEnvelope<T> };
    if (changed) this.#o.onApply?.(document, envelope as ConfigEnvelope<T>);
    return { applied: changed };
  }
}
