import { BallastError } from '../core/errors.js';
import type { StoreTransaction } from '../store/idempotency-contract.js';

/** What an idempotent consumer needs of an idempotency helper (`Idempotency` from `ballast/idempotency`). */
export interface IdempotencyRunner {
  run<T>(
    request: { key: string; scope?: string },
    fn: () => Promise<T> | T,
  ): Promise<{ value: T; replayed: boolean }>;
  runInTransaction?<T>(
    request: { key: string; scope?: string },
    fn: (tx: StoreTransaction) => Promise<T> | T,
  ): Promise<{ value: T; replayed: boolean }>;
}

/** How a consumer records what it handled: a runner, and whether handlers write through its transaction. */
export interface InboxOptions {
  /** Records each handled message or event (an idempotent consumer). */
  idempotency?: IdempotencyRunner;
  /**
   * The handler gets the store's transaction (`context.transaction`) and its writes commit with
   * the record: a message's local effects happen exactly once. Needs `idempotency` on a SQLite or
   * PostgreSQL store; on SQLite the handler must be synchronous. @defaultValue false
   */
  transactional?: boolean;
}

/** Refuses `transactional` without a runner that can do it (at registration, not per message). */
export function checkInbox(options: InboxOptions): void {
  if (options.transactional && !options.idempotency?.runInTransaction) {
    throw new BallastError(
      'InvalidParameterValue',
      'transactional: true needs an idempotency helper (createIdempotency from ballast/idempotency) over a SQLite or PostgreSQL store.',
    );
  }
}

/**
 * Runs `handler` once per `key` in `scope`: skipped when already recorded; with `transactional`,
 * inside the store's transaction so its writes and the record commit together. Resolves `true`
 * when the handler ran, `false` when the key was already handled.
 */
export async function handleOnce(
  options: InboxOptions,
  request: { key: string; scope: string },
  handler: (transaction: StoreTransaction | undefined) => Promise<void> | void,
): Promise<boolean> {
  const idem = options.idempotency;
  if (!idem) {
    await handler(undefined);
    return true;
  }
  if (options.transactional && idem.runInTransaction) {
    // Synchronous handlers stay synchronous (SQLite runs them inside its transaction call).
    const { replayed } = await idem.runInTransaction(request, (tx) => {
      const done = handler(tx);
      return done instanceof Promise ? done.then(() => null) : null;
    });
    return !replayed;
  }
  const { replayed } = await idem.run(request, async () => {
    await handler(undefined);
    return null;
  });
  return !replayed;
}
