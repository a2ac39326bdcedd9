import { type Clock, systemClock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import type { IdempotencyStore, StoreTransaction } from '../store/idempotency-contract.js';
import { openStoreWith } from '../store/registry.js';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  IdempotencyLeaseLostError,
} from './errors.js';
import { fingerprintOf } from './fingerprint.js';

/** Options of `createIdempotency`. */
export interface IdempotencyOptions {
  /**
   * Where records live: an open Ballast store (`ballast.store`), or a URL — `sqlite:<path>`,
   * `postgres://…`, `redis://…` (opened on first use, closed by `close()`).
   */
  store: { idempotency: IdempotencyStore } | string;
  /** Time source for waits and heartbeats (and, injected, for the store's decisions in tests). @defaultValue the system clock */
  clock?: Clock;
  /** How long a completed record is replayed, seconds. @defaultValue 86,400 (24 h) */
  ttlSeconds?: number;
  /** How long a run holds its key before another caller may take over, seconds; extended while it runs. @defaultValue 60 */
  leaseSeconds?: number;
  /** Store errors thrown by the function and replay them (Stripe-style); by default an error releases the key. @defaultValue false */
  storeErrors?: boolean;
}

/** One idempotent call. */
export interface RunRequest {
  /** The client's idempotency key (1–255 printable ASCII characters). */
  key: string;
  /** Who and what the key belongs to (tenant, principal, operation); keys never cross scopes. @defaultValue '' */
  scope?: string;
  /** The request the key stands for: hashed canonically (key order does not matter). @defaultValue null */
  input?: unknown;
  /** Only these top-level fields of `input` count. @defaultValue all */
  fields?: readonly string[];
  /** A fingerprint you computed (any string up to 255 characters); replaces hashing `input`. */
  fingerprint?: string;
  /** Wait up to this long for a run in progress elsewhere to finish, ms; 0 = answer `IdempotencyInProgress` at once. @defaultValue 0 */
  waitMs?: number;
}

/** What `run` answers: the value, and whether it was replayed from the record. */
export interface RunResult<T> {
  value: T;
  replayed: boolean;
}

/** What the function of a run is given. */
export interface RunContext {
  /** Aborted when this run loses its key (its lease was taken over): stop, nothing will be stored. */
  signal: AbortSignal;
  /** True when this run took the key over from a holder whose lease ended (it may have done part of the work). */
  tookOver: boolean;
}

/** Store writes of a run that holds its key. */
interface Held {
  /** Runs a fenced store write, repeating it through a store outage while the lease lasts. */
  retrying<R>(op: () => Promise<R>): Promise<R>;
}

// A plain reason: an abort without one builds a DOMException (and its stack) on every run.
const FINISHED = 'finished';

/** True for a store that could not be reached (the outcome of a write unknown). */
const isUnavailable = (error: unknown): boolean =>
  error instanceof BallastError && error.code === 'StoreUnavailable';

/** A key this caller holds. */
interface Claim {
  store: IdempotencyStore;
  scopeKey: string;
  fence: number;
  tookOver: boolean;
}

const encode = (value: unknown): string => JSON.stringify(value === undefined ? null : value);
const leaseLost = (): BallastError => new IdempotencyLeaseLostError();

/** A stored error, thrown again on replay (with `storeErrors`). */
export class ReplayedError extends Error {
  constructor(
    message: string,
    readonly original: { name: string; message: string; code?: string },
  ) {
    super(message);
    this.name = 'ReplayedError';
  }
}

const KEY = /^[\x20-\x7e]{1,255}$/;

/** The stored key: the scope's length first, so no scope/key pair can spell another's. */
export const scopedKey = (scope: string, key: string): string => `${scope.length}:${scope}:${key}`;

/**
 * Idempotent execution over a store: the first call with a key runs `fn` and stores its result;
 * later calls with the same key and request get the stored result without running it.
 */
export class Idempotency {
  readonly #o: Required<Omit<IdempotencyOptions, 'store'>>;
  readonly #opened: Promise<{ idem: IdempotencyStore; close: () => Promise<void> }>;

  constructor(options: IdempotencyOptions) {
    const { store, ...rest } = options;
    this.#o = {
      ttlSeconds: 86_400,
      leaseSeconds: 60,
      storeErrors: false,
      clock: systemClock,
      ...rest,
    };
    this.#opened =
      typeof store === 'string'
        ? openByUrl(store, options.clock)
        : Promise.resolve({ idem: store.idempotency, close: async () => undefined });
    // Only a store opened here is this helper's to close (and to leave open by mistake).
    if (typeof store === 'string') markRunning(this, `idempotency store (${store.split(':')[0]})`);
    // A URL that cannot be opened fails the first run, not the process (and leaves nothing open).
    this.#opened.catch(() => markClosed(this));
  }

  /** How long a completed record is replayed, seconds (the `ttlSeconds` option). */
  get ttlSeconds(): number {
    return this.#o.ttlSeconds;
  }

  /** Closes a store this helper opened from a URL (a store passed in stays open); idempotent. */
  async close(): Promise<void> {
    const { close } = await this.#opened.catch(() => ({ close: async () => undefined }));
    await close();
    markClosed(this);
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Runs `fn` once per (scope, key): replays a stored result (`replayed: true`); throws
   * `IdempotencyKeyReused` for the same key with a different request, `IdempotencyInProgress`
   * while another run holds it (or waits `waitMs`), `IdempotencyLeaseLost` when this run's lease
   * was taken over before it finished (its result is not stored).
   */
  async run<T>(
    request: RunRequest,
    fn: (context: RunContext) => Promise<T> | T,
  ): Promise<RunResult<T>> {
    const claim = await this.#claim<T>(request);
    if ('replayed' in claim) return claim;
    return this.#execute(claim, async (context, held) => {
      const value = await fn(context);
      const text = encode(value);
      if (
        !(await held.retrying(() =>
          claim.store.complete(claim.scopeKey, claim.fence, text, false, this.#o.ttlSeconds * 1000),
        ))
      )
        throw leaseLost();
      return value;
    });
  }

  /**
   * Like `run`, but `fn` writes through the store's own transaction (`tx`), and its writes commit
   * together with the completed record or not at all: exactly-once effects for local work.
   * SQLite and PostgreSQL stores only (`UnsupportedOperation` on Redis). On SQLite `fn` must be
   * synchronous (`tx.db` is the better-sqlite3 connection); on PostgreSQL `tx.client.query` runs
   * in the transaction. An error thrown by `fn` rolls its writes back.
   */
  async runInTransaction<T>(
    request: RunRequest,
    fn: (tx: StoreTransaction, context: RunContext) => Promise<T> | T,
  ): Promise<RunResult<T>> {
    const { idem } = await this.#opened;
    const transactional = idem.completeInTransaction;
    if (!transactional) {
      throw new BallastError(
        'UnsupportedOperation',
        'This idempotency store cannot run a handler inside its transaction (Redis has no transactions spanning your writes); use run(), or a SQLite or PostgreSQL store.',
      );
    }
    const claim = await this.#claim<T>(request);
    if ('replayed' in claim) return claim;
    return this.#execute(claim, async (context, held) => {
      let produced: { value: T } | undefined;
      const work = (tx: StoreTransaction) => {
        const out = fn(tx, context);
        return out instanceof Promise
          ? out.then((value) => ((produced = { value }), value))
          : ((produced = { value: out }), out);
      };
      try {
        const done = await transactional(
          claim.scopeKey,
          claim.fence,
          this.#o.ttlSeconds * 1000,
          work,
          encode,
        );
        if (!done.held) throw leaseLost();
        return done.value;
      } catch (error) {
        // The work finished but the store went away around COMMIT: the record says whether it committed.
        if (!produced || !isUnavailable(error)) throw error;
        const record = await held.retrying(() => claim.store.get(claim.scopeKey));
        if (record?.status === 'completed' && record.fence === claim.fence) return produced.value;
        throw error;
      }
    });
  }

  /** Validates the request and loops on `begin` until this caller holds the key or has its answer. */
  async #claim<T>(request: RunRequest): Promise<Claim | RunResult<T>> {
    if (typeof request.key !== 'string' || !KEY.test(request.key)) {
      throw new BallastError(
        'InvalidParameterValue',
        'The idempotency key must be 1 to 255 printable ASCII characters.',
      );
    }
    const scopeKey = scopedKey(request.scope ?? '', request.key);
    if (
      request.fingerprint !== undefined &&
      (typeof request.fingerprint !== 'string' || request.fingerprint.length > 255)
    ) {
      throw new BallastError(
        'InvalidParameterValue',
        'The fingerprint must be a string of at most 255 characters.',
      );
    }
    const fingerprint = request.fingerprint ?? fingerprintOf(request.input ?? null, request.fields);
    const { clock } = this.#o;
    const { idem } = await this.#opened;
    const leaseMs = this.#o.leaseSeconds * 1000;
    const ttlMs = this.#o.ttlSeconds * 1000;
    const deadline = clock.now() + (request.waitMs ?? 0);
    for (;;) {
      const begun = await idem.begin(scopeKey, fingerprint, leaseMs, ttlMs);
      switch (begun.kind) {
        case 'mismatch':
          throw new IdempotencyKeyReusedError();
        case 'completed':
          return this.#replay<T>(begun.outcome, begun.isError);
        case 'inProgress': {
          const wait = Math.min(deadline - clock.now(), begun.leaseUntil - clock.now(), 100);
          if (wait <= 0)
            throw new IdempotencyInProgressError(
              Math.max(1, Math.ceil((begun.leaseUntil - clock.now()) / 1000)),
            );
          await clock.sleep(wait);
          continue;
        }
        case 'acquired':
          return { store: idem, scopeKey, fence: begun.fence, tookOver: begun.tookOver };
      }
    }
  }

  /**
   * Runs `body` (the function plus storing its result) while holding the claim: a heartbeat
   * extends the lease; an error releases the key, or is stored with `storeErrors`.
   */
  async #execute<T>(
    claim: Claim,
    body: (context: RunContext, held: Held) => Promise<T>,
  ): Promise<RunResult<T>> {
    const { clock } = this.#o;
    const { store, scopeKey, fence, tookOver } = claim;
    const leaseMs = this.#o.leaseSeconds * 1000;
    // The run's signal is made only if the function reads it or the lease is lost (most never do).
    let abort: AbortController | undefined;
    let lost = false;
    const stop = new AbortController();
    // Until when this run surely holds the key (by the local clock); a heartbeat moves it on.
    let heldUntil = clock.now() + leaseMs;
    // Writes fenced by this run's fence are safe to repeat: through a store outage they are
    // retried while the lease lasts, so a blip neither loses a result (and runs it twice) nor
    // leaves the key held until its lease ends.
    const held: Held = {
      retrying: async (op) => {
        for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
          try {
            return await op();
          } catch (error) {
            if (!isUnavailable(error) || clock.now() + delay >= heldUntil) throw error;
            await clock.sleep(delay);
          }
        }
      },
    };
    // One heartbeat per run: extends the lease at half its length; a lost lease aborts the run.
    const beating = (async () => {
      while (await clock.sleep(leaseMs / 2, stop.signal)) {
        const at = clock.now();
        const kept = await store.extend(scopeKey, fence, leaseMs).catch(() => undefined);
        if (kept === true) heldUntil = at + leaseMs;
        if (kept === false) {
          lost = true;
          (abort ??= new AbortController()).abort(
            new IdempotencyLeaseLostError('Another caller took this idempotency key over.'),
          );
        }
      }
    })();
    try {
      const context: RunContext = {
        get signal() {
          return (abort ??= new AbortController()).signal;
        },
        tookOver,
      };
      return { value: await body(context, held), replayed: false };
    } catch (error) {
      if (lost || (error instanceof BallastError && error.code === 'IdempotencyLeaseLost'))
        throw error;
      // A store failure is never the request's outcome: the key is freed for a retry.
      if (this.#o.storeErrors && !isUnavailable(error)) {
        const e = error instanceof Error ? error : new Error(String(error));
        const code = (e as { code?: unknown }).code;
        const stored = JSON.stringify({
          name: e.name,
          message: e.message,
          ...(typeof code === 'string' ? { code } : {}),
        });
        await held.retrying(() =>
          store.complete(scopeKey, fence, stored, true, this.#o.ttlSeconds * 1000),
        );
      } else {
        await held.retrying(() => store.release(scopeKey, fence)).catch(() => false);
      }
      throw error;
    } finally {
      stop.abort(FINISHED);
      await beating;
    }
  }

  #replay<T>(outcome: string, isError: boolean): RunResult<T> {
    const parsed = JSON.parse(outcome) as unknown;
    if (isError) {
      const e = parsed as { name: string; message: string; code?: string };
      throw new ReplayedError(e.message, e);
    }
    return { value: parsed as T, replayed: true };
  }
}

async function openByUrl(
  url: string,
  clock: Clock | undefined,
): Promise<{ idem: IdempotencyStore; close: () => Promise<void> }> {
  // Only an injected clock replaces the store's own (the database's, Redis's TIME).
  const store = await openStoreWith(url, ['idempotency'], clock ? { clock } : {});
  return { idem: store.idempotency, close: () => store.close() };
}

/** Creates an idempotency helper over a store (see `Idempotency`). */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  return new Idempotency(options);
}
