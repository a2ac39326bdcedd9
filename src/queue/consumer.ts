import { isBallastError } from '../core/errors.js';
import { type BackoffOptions, fullJitterSeconds } from '../interactions/backoff.js';
import type { QueueContext } from './context.js';
import type { Queue } from './queue.js';
import type { ReceivedMessage } from './types.js';

/** Runs for one message. Resolve = done (the message is deleted); throw = retry later. */
export type MessageHandler = (message: ReceivedMessage, context: HandlerContext) => Promise<void> | void;

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** Aborted when the consumer stops past its grace period or the message's lease is lost. */
  signal: AbortSignal;
  queue: Queue;
}

/** Consumer options. */
export interface ConsumeOptions {
  /** Handlers running at once. @defaultValue 10 */
  concurrency?: number;
  /** Visibility of each claimed message, seconds. @defaultValue the queue's VisibilityTimeout */
  visibilityTimeout?: number;
  /** Long-poll wait per receive, seconds (0–20). @defaultValue 20 */
  waitTimeSeconds?: number;
  /** Extend visibility while a handler runs (every half timeout). @defaultValue true */
  heartbeat?: boolean;
  /** Retry delay after a failure: full-jitter exponential on the receive count. @defaultValue 1 s → 300 s */
  retry?: BackoffOptions;
  /** How long `stop()` lets running handlers finish before aborting them and releasing their messages, ms. @defaultValue 30_000 */
  stopTimeoutMs?: number;
  /** Random source for jitter (tests). @defaultValue Math.random */
  random?: () => number;
}

interface Running {
  message: ReceivedMessage;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * A consumer: long-polls, runs up to `concurrency` handlers, heartbeats visibility, deletes on
 * success and backs off on failure. Every receive counts against maxReceiveCount (as in SQS).
 */
export class Consumer {
  readonly #queue: Queue;
  readonly #ctx: QueueContext;
  readonly #handler: MessageHandler;
  readonly #concurrency: number;
  readonly #options: ConsumeOptions;
  readonly #poll = new AbortController();
  readonly #running = new Set<Running>();
  #slotFreed: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  /** @internal use `queue.consume()`. */
  constructor(queue: Queue, ctx: QueueContext, handler: MessageHandler, options: ConsumeOptions) {
    this.#queue = queue;
    this.#ctx = ctx;
    this.#handler = handler;
    this.#options = options;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** True until `stop()` is called. */
  get running(): boolean {
    return this.#stopping === null;
  }

  /** @internal started by `queue.consume()`. */
  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    const { clock } = this.#ctx;
    let failures = 0;
    while (!this.#poll.signal.aborted) {
      if (this.#running.size >= this.#concurrency) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        continue;
      }
      try {
        const q = await this.#queue.record();
        const visibility = this.#options.visibilityTimeout ?? q.settings.visibilityTimeout;
        const messages = await this.#queue.receiveUpTo(
          this.#concurrency - this.#running.size,
          visibility,
          this.#options.waitTimeSeconds ?? 20,
          undefined,
          this.#poll.signal,
        );
        failures = 0;
        for (const m of messages) this.#dispatch(m, visibility);
      } catch (error) {
        if (this.#poll.signal.aborted) break;
        this.#ctx.events.emit('consumer:error', { queue: this.#queue.name, error });
        failures++;
        // The store is unreachable or the queue is gone: back off, keep trying (self-healing).
        await clock.sleep(fullJitterSeconds(failures, { baseSeconds: 0.1, maxSeconds: 5 }) * 1000, this.#poll.signal);
      }
    }
  }

  #dispatch(message: ReceivedMessage, visibility: number): void {
    const abort = new AbortController();
    const entry: Running = { message, abort, done: Promise.resolve() };
    entry.done = this.#handle(entry, visibility).finally(() => {
      this.#running.delete(entry);
      const freed = this.#slotFreed;
      this.#slotFreed = null;
      freed?.();
    });
    this.#running.add(entry);
  }

  async #handle(entry: Running, visibility: number): Promise<void> {
    const { message, abort } = entry;
    const beat = this.#options.heartbeat !== false && visibility > 1 ? this.#heartbeat(entry, visibility) : undefined;
    try {
      await this.#handler(message, { signal: abort.signal, queue: this.#queue });
      if (abort.signal.aborted) return; // released by stop() or lease lost: not ours to delete
      await this.#queue.delete(message.receiptHandle).catch((error: unknown) => this.#storeError(error));
    } catch (error) {
      if (abort.signal.aborted) return;
      const retryInSeconds = Math.round(fullJitterSeconds(message.receiveCount, this.#options.retry, this.#options.random));
      this.#ctx.events.emit('handler:failed', { queue: this.#queue.name, messageId: message.messageId, error, retryInSeconds });
      await this.#queue.changeVisibility(message.receiptHandle, retryInSeconds).catch(() => undefined);
    } finally {
      beat?.abort();
    }
  }

  #heartbeat(entry: Running, visibility: number): AbortController {
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, entry.abort.signal]);
    void (async () => {
      while (await this.#ctx.clock.sleep((visibility * 1000) / 2, signal)) {
        try {
          await this.#queue.changeVisibility(entry.message.receiptHandle, visibility);
        } catch (error) {
          // The handle is stale: another consumer may have the message now. Tell the handler.
          if (isBallastError(error) && error.code !== 'StoreUnavailable') entry.abort.abort(error);
          else this.#storeError(error);
        }
      }
    })();
    return stop;
  }

  #storeError(error: unknown): void {
    this.#ctx.events.emit('consumer:error', { queue: this.#queue.name, error });
  }

  /**
   * Graceful stop: stops receiving, waits up to `stopTimeoutMs` for running handlers, then
   * aborts the rest and makes their messages visible again. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#poll.abort();
      this.#slotFreed?.();
      await this.#loop;
      const all = Promise.all([...this.#running].map((r) => r.done));
      const timeout = new AbortController();
      const finished = await Promise.race([
        all.then(() => true),
        this.#ctx.clock.sleep(this.#options.stopTimeoutMs ?? 30_000, timeout.signal).then(() => false),
      ]);
      timeout.abort();
      if (!finished) {
        for (const r of this.#running) {
          r.abort.abort(new Error('consumer stopped'));
          await this.#queue.changeVisibility(r.message.receiptHandle, 0).catch(() => undefined);
        }
        await all;
      }
    })();
    return this.#stopping;
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
