import pg from 'pg';
import type { BallastError } from '../../../core/errors.js';
import type { StoreConditionTracker } from '../../shared/condition.js';
import {
  environmentFailure,
  isConnectionError,
  isRetryableConflict,
  toStoreError,
} from './errors.js';

/** Anything that runs a query: a pooled client, the caller's own client, or the pool. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** A named statement: parsed and planned once per connection (worth it for hot, complex statements). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: {
    name: string;
    text: string;
    values?: unknown[];
  }): Promise<pg.QueryResult<R>>;
}

/**
 * BIGINT (int8) and COUNT come back from `pg` as strings by default. Every int8 Ballast stores
 * (epoch ms, positions, ids, counts) is far below 2^53, so this pool parses them as numbers.
 * Scoped to our pool only: the global `pg.types` of the application is left alone.
 */
const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
export const BALLAST_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A connection failure on a statement that changed nothing is retried on a fresh connection this many times. */
const CONNECTION_RETRIES = 3;
/** A transaction rolled back by a deadlock or serialization failure is run again this many times. */
const CONFLICT_RETRIES = 5;

const noop = (): void => undefined;

/**
 * The pool, with the only two ways Ballast touches it: `read` for single read-only statements
 * and `tx` for everything that writes. Neither lets a `pg` error escape unmapped.
 */
export class Db {
  readonly pool: pg.Pool;
  readonly #condition: StoreConditionTracker | null;

  /**
   * @param condition - told about every environment failure (lost connection, full disk…) and
   *   every committed write, so the store can report whether it is writable. @defaultValue none
   */
  constructor(config: pg.PoolConfig, condition: StoreConditionTracker | null = null) {
    this.#condition = condition;
    this.pool = new pg.Pool(config);
    // An idle client whose connection dies emits 'error' on the pool (which then drops it); a
    // checked-out client emits it on itself. Unhandled, either would crash the process. The
    // failure itself reaches the caller through the query that was running, if any.
    this.pool.on('error', noop);
    this.pool.on('connect', (client) => client.on('error', noop));
  }

  /**
   * Runs one read-only statement. A connection failure is retried on a fresh connection (a
   * server restart leaves dead idle clients behind until the pool notices).
   */
  async read<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    what?: string,
  ): Promise<R[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.pool.query<R>(text, values)).rows;
      } catch (error) {
        if (attempt < CONNECTION_RETRIES && isConnectionError(error)) continue;
        throw this.#fail(error, what);
      }
    }
  }

  /**
   * Runs ONE writing statement in its own implicit transaction: one round trip. A deadlock is
   * retried; a lost connection is `StoreUnavailable` (the outcome is unknown, so never retried).
   */
  async write<T>(fn: (sql: Sql) => Promise<T>, what?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#wrote(await fn(this.pool));
      } catch (error) {
        if (attempt < CONFLICT_RETRIES && isRetryableConflict(error)) continue;
        throw this.#fail(error, what);
      }
    }
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT on one pooled connection. Retried safely: when BEGIN itself
   * fails on a dead connection (nothing was done), and when PostgreSQL rolled the transaction
   * back for a deadlock or serialization failure. A connection lost later (the outcome of
   * COMMIT unknown) is reported as `StoreUnavailable`, never retried.
   */
  async tx<T>(fn: (client: Sql) => Promise<T>, what?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.#fail(error, what);
      }
      try {
        await client.query('BEGIN');
      } catch (error) {
        client.release(asError(error));
        if (attempt < CONNECTION_RETRIES && isConnectionError(error)) continue;
        throw this.#fail(error, what);
      }
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        client.release();
        return this.#wrote(result);
      } catch (error) {
        this.#record(error);
        await rollBack(client, error, what);
        if (attempt < CONFLICT_RETRIES && isRetryableConflict(error)) continue;
        throw toStoreError(error, what);
      }
    }
  }

  /**
   * Runs the caller's `fn` inside BEGIN … COMMIT on one pooled connection, ONCE: it may have
   * effects outside the database, so a conflict is not retried. Errors thrown by `fn` reach the
   * caller unchanged (after ROLLBACK); a lost connection is `StoreUnavailable`.
   */
  async txOnce<T>(fn: (client: Sql) => Promise<T>, what?: string): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN').catch((error: unknown) => {
        client.release(asError(error));
        throw error;
      });
    } catch (error) {
      throw this.#fail(error, what);
    }
    let result: T;
    try {
      result = await fn(client);
    } catch (error) {
      // The caller's error stays theirs, but a full disk under their statements is still ours to report.
      this.#record(error);
      await rollBack(client, error, what);
      throw error;
    }
    try {
      await client.query('COMMIT');
      client.release();
      return this.#wrote(result);
    } catch (error) {
      client.release(asError(error));
      throw this.#fail(error, what);
    }
  }

  /** Notes an environment failure in the condition (anything else is ignored). */
  #record(error: unknown): void {
    const failure = environmentFailure(error);
    if (failure !== null) this.#condition?.failed(failure);
  }

  /** Notes the failure and maps it. */
  #fail(error: unknown, what: string | undefined): BallastError {
    this.#record(error);
    return toStoreError(error, what);
  }

  /** A write committed: the store is writable. */
  #wrote<T>(result: T): T {
    this.#condition?.succeeded();
    return result;
  }

  /** Ends every pooled connection. */
  async end(): Promise<void> {
    if (!this.pool.ended) await this.pool.end().catch(noop);
  }
}

/** Ends a failed transaction: a dead connection is dropped (and `StoreUnavailable` thrown); otherwise ROLLBACK. */
async function rollBack(
  client: pg.PoolClient,
  error: unknown,
  what: string | undefined,
): Promise<void> {
  if (isConnectionError(error)) {
    client.release(asError(error));
    throw toStoreError(error, what);
  }
  await client.query('ROLLBACK').then(
    () => client.release(),
    (rollbackError: unknown) => client.release(asError(rollbackError)),
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Quotes an SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
