import { processSpan } from './tracing.js';
import { isBallastError } from '../core/errors.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { checkInbox, handleOnce, type InboxOptions } from '../idempotency/inbox.js';
import type { StoreTransaction } from '../store/idempotency-contract.js';
import { type BackoffOptions, fullJitterSeconds } from '../core/backoff.js';
import { AckBatcher } from './ack-batcher.js';
import type { QueueContext } from './context.js';
import type { Queue } from './queue.js';
import type { ReceivedMessage } from './types.js';

/** Runs for one message. Resolve = done (the message is deleted); throw = retry later. */
export type MessageHandler = (
  message: ReceivedMessage,
  context: HandlerContext,
) => Promise<void> | void;

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** Aborted when the consumer stops past its grace period or the message's lease is lost. */
  signal: AbortSignal;
  queue: Queue;
  /** The store's transaction, with `transactional: true`: write through it to commit with the message's record. */
  transaction?: StoreTransaction;
}

/** Consumer options. */
export interface ConsumeOptions {
  /** Handlers running at once. @defaultValue 10 */
  concurrency?: number;
  /**
   * Messages claimed ahead of free handler slots and held locally, so handlers never wait on a
   * store round trip. They are in flight meanwhile (their visibility runs); released on stop.
   * @defaultValue adaptive: as many as the handlers finish (by their average duration) in 1 s
   * or a quarter of the visibility timeout, whichever is shorter, between `concurrency` and 40 × `concurrency`
   */
  prefetch?: number;
  /**
   * Most body bytes held in the prefetch buffer; claims are sized by the average message seen so
   * far to stay under it. @defaultValue 8,388,608 (8 MiB)
   */
  prefetchBytes?: number;
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
  /**
   * Skip messages already handled (an idempotent consumer): each message runs once per message
   * id through this store (`createIdempotency` from `ballast/idempotency`), so a redelivery after
   * a successful handler (a lost delete, a visibility timeout) is deleted without running it again.
   * Without `transactional`, the record and the handler's own writes are not one transaction:
   * effects outside the record are at-least-once across a crash between them.
   */
  idempotency?: InboxOptions['idempotency'];
  /** With `idempotency` on SQLite or PostgreSQL: the handler's writes through `context.transaction` commit with the record (see `InboxOptions`). @defaultValue false */
  transactional?: boolean;
}

export type { IdempotencyRunner } from '../idempotency/inbox.js';

interface Running {
  message: ReceivedMessage;
  /** Visibility of this claim, seconds. */
  visibility: number;
  /** Epoch ms the message's visibility was last set (claim or heartbeat). */
  extendedAt: number;
  /** Created only when the handler reads its signal or the run must be aborted. */
  abort: AbortController | null;
  done: Promise<void>;
}

interface Buffered {
  message: ReceivedMessage;
  visibility: number;
  /** Epoch ms of the receive: the visibility runs from here. */
  receivedAt: number;
  /** Body size, bytes. */
  bytes: number;
}

/** Most messages one receive claims for a consumer. */
const MAX_CLAIM = 200;
/** The adaptive prefetch holds at most this much work (by average handler time), ms. */
const PREFETCH_WINDOW_MS = 1000;
/** Most messages the adaptive prefetch holds, per unit of concurrency. */
const PREFETCH_PER_SLOT = 40;
/** Average message size assumed before any was received, bytes (sizes the first claim). */
const ASSUMED_MESSAGE_BYTES = 64 * 1024;
/** Abort a running handler (stop past its grace period, or its lease lost). */
function abortRun(entry: Running, reason: unknown): void {
  (entry.abort ??= new AbortController()).abort(reason);
}
const isAborted = (entry: Running): boolean => entry.abort?.signal.aborted === true;

/**
 * A consumer: long-polls, runs up to `concurrency` handlers, heartbeats visibility, deletes on
 * success and backs off on failure. Every receive counts against maxReceiveCount (as in SQS).
 */
export class Consumer {
  readonly #queue: Queue;
  readonly #ctx: QueueContext;
  readonly #handler: MessageHandler;
  readonly #concurrency: number;
  readonly #fixedPrefetch: number | undefined;
  /** Moving average of handler duration, ms (for the adaptive prefetch). */
  #avgHandlerMs = 0;
  /** Visibility of the last claim, seconds. */
  #visibility = 30;
  readonly #buffer: Buffered[] = [];
  /** Body bytes in `#buffer`. */
  #bufferedBytes = 0;
  /** Moving average of received body sizes, bytes (sizes claims under `prefetchBytes`). */
  #avgMessageBytes = ASSUMED_MESSAGE_BYTES;
  readonly #prefetchBytes: number;
  readonly #options: ConsumeOptions;
  readonly #poll = new AbortController();
  readonly #beats = new AbortController();
  #beating: Promise<void> | null = null;
  readonly #running = new Set<Running>();
  readonly #acks: AckBatcher;
  readonly #pendingAcks = new Set<Promise<void>>();
  #slotFreed: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  /** @internal use `queue.consume()`. */
  constructor(queue: Queue, ctx: QueueContext, handler: MessageHandler, options: ConsumeOptions) {
    this.#queue = queue;
    this.#ctx = ctx;
    this.#handler = handler;
    checkInbox(options);
    this.#options = options;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
    this.#fixedPrefetch =
      options.prefetch === undefined ? undefined : Math.max(0, Math.floor(options.prefetch));
    this.#prefetchBytes = Math.max(0, options.prefetchBytes ?? 8 * 1024 * 1024);
    this.#acks = new AckBatcher((handles) => queue.deleteMany(handles));
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
    if (this.#stopping === null) markRunning(this, `queue consumer (${this.#queue.name})`);
    this.#loop ??= this.#run();
    if (this.#options.heartbeat !== false) this.#beating ??= this.#heartbeats();
  }

  async #run(): Promise<void> {
    const { clock } = this.#ctx;
    let failures = 0;
    while (!this.#poll.signal.aborted) {
      const prefetch = this.#prefetch();
      const slots = this.#concurrency + prefetch - this.#running.size - this.#buffer.length;
      // A claim fills free handler slots plus what the byte budget still allows in the buffer.
      const byBytes = Math.floor(
        (this.#prefetchBytes - this.#bufferedBytes) / this.#avgMessageBytes,
      );
      const capacity = Math.min(
        slots,
        this.#concurrency - this.#running.size + Math.max(0, byBytes),
      );
      // Refill only below the low-water mark, so each claim is a big batch (one round trip each).
      if (capacity <= 0 || this.#buffer.length > prefetch / 2) {
        await this.#slot();
        continue;
      }
      try {
        const q = await this.#queue.record();
        const visibility = this.#options.visibilityTimeout ?? q.settings.visibilityTimeout;
        this.#visibility = visibility;
        const receivedAt = clock.now();
        const messages = await this.#queue.receiveUpTo(
          Math.min(capacity, MAX_CLAIM),
          visibility,
          // With work on hand, only top the buffer up; long-poll when idle.
          this.#running.size + this.#buffer.length > 0 ? 0 : (this.#options.waitTimeSeconds ?? 20),
          undefined,
          this.#poll.signal,
        );
        failures = 0;
        for (const message of messages) {
          const bytes = Buffer.byteLength(message.body);
          this.#avgMessageBytes = 0.9 * this.#avgMessageBytes + 0.1 * Math.max(1, bytes);
          this.#bufferedBytes += bytes;
          this.#buffer.push({ message, visibility, receivedAt, bytes });
        }
        this.#pump();
        if (messages.length === 0 && this.#running.size + this.#buffer.length > 0) {
          // Nothing more right now while handlers run: wait for one to finish, then look again.
          await this.#slot();
        }
      } catch (error) {
        if (this.#poll.signal.aborted) break;
        this.#ctx.events.emit('consumer:error', { queue: this.#queue.name, error });
        failures++;
        // The store is unreachable or the queue is gone: back off, keep trying (self-healing).
        await clock.sleep(
          fullJitterSeconds(failures, { baseSeconds: 0.1, maxSeconds: 5 }) * 1000,
          this.#poll.signal,
        );
      }
    }
  }

  /**
   * How many messages to hold beyond the running ones. Adaptive by default: a buffered message's
   * visibility is running and other consumers cannot have it, so hold only what the handlers get
   * through in a short window (1 s, or a quarter of the visibility if that is shorter).
   */
  #prefetch(): number {
    if (this.#fixedPrefetch !== undefined) return this.#fixedPrefetch;
    const c = this.#concurrency;
    const windowMs = Math.min(PREFETCH_WINDOW_MS, (this.#visibility * 1000) / 4);
    const perWindow = this.#avgHandlerMs > 0 ? (c * windowMs) / this.#avgHandlerMs : Infinity;
    return Math.floor(Math.max(c, Math.min(PREFETCH_PER_SLOT * c, perWindow)));
  }

  /** Waits until a handler finishes or the consumer stops. */
  #slot(): Promise<void> {
    if (this.#poll.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // stop() may come while we wait: it aborts the poll signal, which ends the wait too.
      const done = (): void => {
        this.#poll.signal.removeEventListener('abort', done);
        resolve();
      };
      this.#slotFreed = done;
      this.#poll.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Starts buffered messages while handler slots are free. */
  #pump(): void {
    while (this.#running.size < this.#concurrency && !this.#poll.signal.aborted) {
      const next = this.#buffer.shift();
      if (!next) return;
      this.#bufferedBytes -= next.bytes;
      this.#dispatch(next);
    }
  }

  #dispatch(item: Buffered): void {
    const entry: Running = {
      message: item.message,
      visibility: item.visibility,
      extendedAt: item.receivedAt,
      abort: null,
      done: Promise.resolve(),
    };
    entry.done = this.#handle(entry).finally(() => {
      this.#running.delete(entry);
      this.#pump();
      const freed = this.#slotFreed;
      this.#slotFreed = null;
      freed?.();
    });
    this.#running.add(entry);
  }

  async #handle(entry: Running): Promise<void> {
    const { message } = entry;
    const started = this.#ctx.clock.now();
    const context: HandlerContext = {
      queue: this.#queue,
      get signal() {
        return (entry.abort ??= new AbortController()).signal;
      },
    };
    try {
      // A message already handled is skipped (nothing runs) and then deleted like a success.
      // The run is a span under the message's producer: the handler's own spans join that trace
      // (a synchronous transactional handler stays synchronous inside it).
      await processSpan(this.#queue.name, message, () =>
        handleOnce(
          this.#options,
          { key: message.messageId, scope: `queue:${this.#queue.name}` },
          (transaction) =>
            this.#handler(
              message,
              transaction
                ? Object.assign(Object.create(context) as HandlerContext, { transaction })
                : context,
            ),
        ),
      );
      this.#avgHandlerMs = 0.9 * this.#avgHandlerMs + 0.1 * (this.#ctx.clock.now() - started);
      if (isAborted(entry)) return; // released by stop() or lease lost: not ours to delete
      // The slot is free as soon as the handler is done; the delete rides the next ack batch.
      const ack = this.#acks.ack(message.receiptHandle).then(
        () => undefined,
        (error: unknown) => this.#storeError(error),
      );
      this.#pendingAcks.add(ack);
      void ack.finally(() => this.#pendingAcks.delete(ack));
    } catch (error) {
      if (isAborted(entry)) return;
      const retryInSeconds = Math.round(
        fullJitterSeconds(message.receiveCount, this.#options.retry, this.#options.random),
      );
      // Schedule the retry first, so the event reports a retry that is already in place.
      await this.#queue
        .changeVisibility(message.receiptHandle, retryInSeconds)
        .catch(() => undefined);
      this.#ctx.events.emit('handler:failed', {
        queue: this.#queue.name,
        messageId: message.messageId,
        error,
        retryInSeconds,
      });
    }
  }

  /**
   * One heartbeat for the whole consumer (not a timer per message): every quarter of the
   * visibility timeout it extends each running message whose visibility is half spent.
   */
  async #heartbeats(): Promise<void> {
    const { clock } = this.#ctx;
    while (await clock.sleep(Math.max(100, (this.#visibility * 1000) / 4), this.#beats.signal)) {
      const now = clock.now();
      for (const entry of this.#running) {
        if (
          entry.visibility <= 1 ||
          isAborted(entry) ||
          now - entry.extendedAt < (entry.visibility * 1000) / 2
        )
          continue;
        entry.extendedAt = now;
        this.#queue
          .changeVisibility(entry.message.receiptHandle, entry.visibility)
          .catch((error: unknown) => {
            // The handle is stale: another consumer may have the message now. Tell the handler.
            if (isBallastError(error) && error.code !== 'StoreUnavailable') abortRun(entry, error);
            else this.#storeError(error);
          });
      }
    }
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
      // Claimed but never started: give them back at once, in one store call.
      const unstarted = this.#buffer.splice(0);
      this.#bufferedBytes = 0;
      await this.#queue
        .releaseMany(unstarted.map((b) => b.message.receiptHandle))
        .catch(() => undefined);
      const all = Promise.all([...this.#running].map((r) => r.done));
      const timeout = new AbortController();
      const finished = await Promise.race([
        all.then(() => true),
        this.#ctx.clock
          .sleep(this.#options.stopTimeoutMs ?? 30_000, timeout.signal)
          .then(() => false),
      ]);
      timeout.abort();
      if (!finished) {
        for (const r of this.#running) {
          abortRun(r, new Error('consumer stopped'));
          await this.#queue.changeVisibility(r.message.receiptHandle, 0).catch(() => undefined);
        }
        await all;
      }
      // Deletes of finished handlers land before stop() resolves.
      await Promise.all(this.#pendingAcks);
      this.#beats.abort();
      await this.#beating;
    })().finally(() => markClosed(this));
    return this.#stopping;
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
