import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { createIdempotency, scopedKey, type Idempotency } from '../idempotency/idempotency.js';
import type { Consumer } from '../queue/consumer.js';
import type { Queue } from '../queue/queue.js';
import type { Queues } from '../queue/queues.js';
import type { ReceivedMessage } from '../queue/types.js';
import type { StoreCapabilities } from '../store/contract.js';
import type { IdempotencyStore, StoreTransaction } from '../store/idempotency-contract.js';

/** Where an operation is: accepted and waiting, being handled, or finished one of three ways. */
export type OperationState = 'pending' | 'running' | 'succeeded' | 'failed' | 'dropped';

/** What `status` reports about one operation. */
export interface OperationStatus<R = unknown> {
  readonly operationId: string;
  readonly state: OperationState;
  /** When it was accepted (epoch ms). */
  readonly submittedAt: number;
  /** When it finished (epoch ms), once it has. */
  readonly finishedAt?: number;
  /** The handler's result, when `succeeded`. */
  readonly result?: R;
  /** The handler's last error, when `failed` (after `maxAttempts`). */
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
  /** Why it was not processed, when `dropped` (it was older than `maxAgeMs` when its turn came). */
  readonly reason?: string;
}

/** What `submit` answers: the request is durably registered; poll `status(operationId)`. */
export interface Submission {
  readonly operationId: string;
  readonly submittedAt: number;
  /** True when an earlier submit with the same idempotency key registered it (nothing new was queued). */
  readonly duplicate: boolean;
}

/** What a handler of a soft-real-time interaction is given besides the payload. */
export interface OperationContext {
  readonly operationId: string;
  readonly submittedAt: number;
  /** 1 on the first try. */
  readonly attempt: number;
  /** Aborted when the consumer stops or the message's lease is lost. */
  readonly signal: AbortSignal;
  /**
   * With `process(h, { transactional: true })`: the store's transaction — write through it and
   * your writes commit together with the operation's result, or not at all.
   */
  readonly transaction?: StoreTransaction;
}

/** The parts of an open Ballast a soft-real-time interaction needs. */
export interface SoftRealTimeHost {
  readonly queues: Queues;
  readonly store: {
    readonly idempotency: IdempotencyStore;
    readonly capabilities?: Pick<StoreCapabilities, 'synchronousTransactions'>;
  };
  readonly clock: Clock;
}

/** Everything a soft-real-time interaction runs with, resolved and checked at definition. */
export interface SoftRealTimeSettings {
  readonly name: string;
  readonly host: SoftRealTimeHost;
  readonly queue: string;
  readonly maxAgeMs: number;
  readonly maxAttempts: number;
  readonly resultTtlSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxPayloadBytes: number;
}

/** Options of `process`. */
export interface ProcessOptions {
  /** Handlers running at once. @defaultValue 10 */
  concurrency?: number;
  /** Long-poll wait per receive, seconds (0–20). @defaultValue 20 */
  waitTimeSeconds?: number;
  /**
   * The handler gets `context.transaction` (the store's own) and its writes commit with the
   * operation's result: effects exactly once, even across a crash. On SQLite the handler must be
   * synchronous. @defaultValue false
   */
  transactional?: boolean;
}

interface Envelope {
  v: 1;
  operationId: string;
  submittedAt: number;
  payload: unknown;
}

type Outcome =
  | { state: 'succeeded'; result: unknown; finishedAt: number }
  | { state: 'failed'; error: OperationStatus['error']; finishedAt: number }
  | { state: 'dropped'; reason: string; finishedAt: number };

/** An error the handler itself threw (as opposed to the record's or the store's); `final`: trying again cannot help. */
class HandlerFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly final: boolean,
  ) {
    super('the handler failed');
  }
}

/** `next(value)` now for a plain value, or once a promise resolves (transactions are synchronous on some stores). */
function andThen<A, B>(value: A | Promise<A>, next: (a: A) => B): B | Promise<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}

const OPERATION_ID = /^op_[A-Za-z0-9_-]{22}$/;

/**
 * An asynchronous interaction (REL04-BP01/02): `submit` registers the request durably (a Ballast
 * queue) and answers at once with an operation id; an idempotent consumer completes it later;
 * requests older than `maxAgeMs` when their turn comes are dropped, not processed.
 */
export class SoftRealTimeInteraction<P = unknown, R = unknown> {
  readonly kind = 'soft-real-time' as const;
  readonly #s: SoftRealTimeSettings;
  readonly #idem: Idempotency;
  readonly #submitScope: string;
  readonly #runScope: string;
  #queue: Promise<Queue> | undefined;

  /** @internal use `defineInteraction` */
  constructor(settings: SoftRealTimeSettings) {
    this.#s = settings;
    this.#idem = createIdempotency({
      store: settings.host.store,
      clock: settings.host.clock,
      ttlSeconds: settings.resultTtlSeconds,
      leaseSeconds: settings.visibilityTimeoutSeconds,
    });
    this.#submitScope = `ballast.interaction:${settings.name}:submitted`;
    this.#runScope = `ballast.interaction:${settings.name}:run`;
  }

  /** The interaction's name. */
  get name(): string {
    return this.#s.name;
  }

  /** The queue requests wait in (created on first use, with a dead-letter queue `<queue>-dlq`). */
  get queueName(): string {
    return this.#s.queue;
  }

  /** Requests older than this when their turn comes are dropped, ms. */
  get maxAgeMs(): number {
    return this.#s.maxAgeMs;
  }

  /**
   * Registers a request: once this resolves it is durably queued (the registration and the
   * message commit in one transaction). With `idempotencyKey`, submitting again answers the same
   * operation id; a different payload under the same key is `IdempotencyKeyReused`.
   */
  async submit(payload: P, options: { idempotencyKey?: string } = {}): Promise<Submission> {
    const s = this.#s;
    const key = options.idempotencyKey;
    if (key !== undefined && (typeof key !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(key))) {
      throw new BallastError(
        'InvalidParameterValue',
        'an idempotency key is 1–255 printable ASCII characters',
      );
    }
    const operationId = key === undefined ? newOperationId() : operationIdFor(s.name, key);
    const submittedAt = s.host.clock.now();
    let body: string;
    try {
      body = JSON.stringify({ v: 1, operationId, submittedAt, payload } satisfies Envelope);
    } catch (error) {
      throw new BallastError(
        'InvalidParameterValue',
        `interaction "${s.name}": the payload must be JSON-serialisable (${(error as Error).message})`,
      );
    }
    if (body === undefined)
      throw new BallastError(
        'InvalidParameterValue',
        `interaction "${s.name}": the payload must be JSON-serialisable`,
      );
    if (Buffer.byteLength(body) > s.maxPayloadBytes) {
      throw new BallastError(
        'RequestEntityTooLarge',
        `interaction "${s.name}": the request is ${Buffer.byteLength(body)} bytes; at most ${s.maxPayloadBytes}`,
      );
    }
    const outbox = await (await this.#ensureQueue()).outbox();
    const registered = { operationId, submittedAt };
    const { value, replayed } = await this.#idem.runInTransaction(
      { key: operationId, scope: this.#submitScope, input: payload ?? null },
      (tx) => andThen(outbox.sendInTransaction(tx, body), () => registered),
    );
    return { ...value, duplicate: replayed };
  }

  /** Where an operation is; undefined for an id this interaction never accepted (or whose status has expired). */
  async status(operationId: string): Promise<OperationStatus<R> | undefined> {
    if (typeof operationId !== 'string' || !OPERATION_ID.test(operationId)) return undefined;
    const store = this.#s.host.store.idempotency;
    const submitted = await store.get(scopedKey(this.#submitScope, operationId));
    if (submitted?.status !== 'completed' || submitted.outcome === null) return undefined;
    const { submittedAt } = JSON.parse(submitted.outcome) as { submittedAt: number };
    const run = await store.get(scopedKey(this.#runScope, operationId));
    if (!run) return { operationId, state: 'pending', submittedAt };
    // A holder whose lease ran out has died: its request will be received again (or has gone to the DLQ).
    if (run.status === 'in_progress' || run.outcome === null)
      return {
        operationId,
        state: run.leaseUntil > this.#s.host.clock.now() ? 'running' : 'pending',
        submittedAt,
      };
    const outcome = JSON.parse(run.outcome) as Outcome;
    return { operationId, submittedAt, ...outcome } as OperationStatus<R>;
  }

  /**
   * Starts handling requests (resolves once the consumer runs; `stop()` it to end): each operation runs once (an idempotent consumer keyed by its id);
   * a handler error is retried with backoff up to `maxAttempts`, then recorded as `failed`;
   * a request older than `maxAgeMs` is recorded as `dropped` without running the handler.
   */
  async process(
    handler: (payload: P, context: OperationContext) => Promise<R> | R,
    options: ProcessOptions = {},
  ): Promise<Consumer> {
    if (
      options.transactional &&
      this.#synchronousTransactions &&
      handler.constructor.name === 'AsyncFunction'
    ) {
      throw new BallastError(
        'InvalidParameterValue',
        `interaction "${this.#s.name}": this store's transactions are synchronous, so a transactional handler must be synchronous (write through context.transaction without await)`,
      );
    }
    const queue = await this.#ensureQueue();
    return queue.consume(
      (message, ctx) => this.#handle(message, ctx.signal, handler, options.transactional === true),
      {
        concurrency: options.concurrency ?? 10,
        ...(options.waitTimeSeconds !== undefined
          ? { waitTimeSeconds: options.waitTimeSeconds }
          : {}),
        visibilityTimeout: this.#s.visibilityTimeoutSeconds,
      },
    );
  }

  async #handle(
    message: ReceivedMessage,
    signal: AbortSignal,
    handler: (payload: P, context: OperationContext) => Promise<R> | R,
    transactional: boolean,
  ): Promise<void> {
    const s = this.#s;
    const envelope = parseEnvelope(message.body);
    const request = { key: envelope.operationId, scope: this.#runScope };
    const context = {
      operationId: envelope.operationId,
      submittedAt: envelope.submittedAt,
      attempt: message.receiveCount,
      signal,
    };
    const lastTry = () => message.receiveCount >= s.maxAttempts && !signal.aborted;
    const failed = (error: unknown): Outcome => ({
      state: 'failed',
      error: describe(error),
      finishedAt: s.host.clock.now(),
    });
    const succeeded = (result: R): Outcome => ({
      state: 'succeeded',
      result: result ?? null,
      finishedAt: s.host.clock.now(),
    });
    if (!transactional) {
      await this.#idem.run(request, async (): Promise<Outcome> => {
        const skip = this.#skip(message, envelope);
        if (skip) return skip;
        try {
          return succeeded(await handler(envelope.payload as P, context));
        } catch (error) {
          if (!lastTry()) throw error;
          return failed(error);
        }
      });
      return;
    }
    try {
      await this.#idem.runInTransaction(request, (transaction): Outcome | Promise<Outcome> => {
        const skip = this.#skip(message, envelope);
        if (skip) return skip;
        let out: Promise<R> | R;
        try {
          out = handler(envelope.payload as P, { ...context, transaction });
        } catch (error) {
          throw new HandlerFailure(error, false);
        }
        if (!(out instanceof Promise)) return succeeded(out);
        if (this.#synchronousTransactions) {
          // The transaction ended when the handler returned: its writes after an await were
          // refused, and a retry would fail the same way.
          out.catch(() => undefined);
          throw new HandlerFailure(
            new BallastError(
              'InvalidParameterValue',
              "this store's transactions are synchronous, so a transactional handler must be synchronous: it returned a promise (its writes after an await were refused)",
            ),
            true,
          );
        }
        return out.then(succeeded, (error: unknown) =>
          Promise.reject(new HandlerFailure(error, false)),
        );
      });
    } catch (error) {
      // Only the handler's own errors count as its failures (errors of the record or the store are tried again).
      if (!(error instanceof HandlerFailure)) throw error;
      // Its writes were rolled back with the error; on the last try the failure is recorded on its own.
      if (!error.final && !lastTry()) throw error.cause;
      await this.#idem.run(request, () => failed(error.cause));
    }
  }

  /** Whether the store's transactions are synchronous (handlers must not await inside them). */
  get #synchronousTransactions(): boolean {
    return this.#s.host.store.capabilities?.synchronousTransactions === true;
  }

  /** The outcome of a request that is not to run: given up on after unfinished tries, or stale. */
  #skip(message: ReceivedMessage, envelope: Envelope): Outcome | undefined {
    const s = this.#s;
    const now = s.host.clock.now();
    // Received again after maxAttempts tries that never finished (handlers that crashed or hung): give up on it.
    if (message.receiveCount > s.maxAttempts) {
      return {
        state: 'failed',
        error: {
          name: 'AttemptsExhausted',
          message: `no handler finished in ${s.maxAttempts} tries (crashed, killed or timed out)`,
        },
        finishedAt: now,
      };
    }
    const age = now - envelope.submittedAt;
    if (age > s.maxAgeMs)
      return {
        state: 'dropped',
        reason: `stale: its turn came ${age} ms after it was submitted, past maxAgeMs (${s.maxAgeMs} ms)`,
        finishedAt: now,
      };
    return undefined;
  }

  #ensureQueue(): Promise<Queue> {
    this.#queue ??= ensureQueue(this.#s).catch((error: unknown) => {
      this.#queue = undefined;
      throw error;
    });
    return this.#queue;
  }
}

/** Creates the request queue and its DLQ unless they exist (a second node's `create` finds them: same settings). */
async function ensureQueue(s: SoftRealTimeSettings): Promise<Queue> {
  const queues = s.host.queues;
  if (await queues.record(s.queue)) return queues.get(s.queue);
  const dlq = `${s.queue}-dlq`;
  await queues.create(dlq, { messageRetentionPeriod: 1_209_600 });
  // Failures are recorded on the last attempt; the DLQ only catches messages whose handling never finished (crashes).
  return queues.create(s.queue, {
    visibilityTimeout: s.visibilityTimeoutSeconds,
    deadLetterQueue: { queue: dlq, maxReceiveCount: s.maxAttempts + 2 },
  });
}

function parseEnvelope(body: string): Envelope {
  let e: Partial<Envelope> | undefined;
  try {
    e = JSON.parse(body) as Partial<Envelope>;
  } catch {
    e = undefined;
  }
  if (
    !e ||
    e.v !== 1 ||
    typeof e.operationId !== 'string' ||
    !OPERATION_ID.test(e.operationId) ||
    typeof e.submittedAt !== 'number'
  ) {
    throw new BallastError(
      'InvalidMessageContents',
      'not a request of a soft-real-time interaction (was something else sent to its queue?)',
    );
  }
  return e as Envelope;
}

const describe = (error: unknown): OperationStatus['error'] => {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message.slice(0, 1_000),
    ...(typeof code === 'string' ? { code } : {}),
  };
};

/** A fresh operation id: `op_` + 22 URL-safe characters (128 random bits). */
export const newOperationId = (): string => `op_${randomBytes(16).toString('base64url')}`;

/** The operation id an idempotency key stands for in one interaction (the same key always names the same operation). */
export const operationIdFor = (interaction: string, key: string): string =>
  `op_${createHash('sha256').update(interaction).update('\0').update(key).digest('base64url').slice(0, 22)}`;
