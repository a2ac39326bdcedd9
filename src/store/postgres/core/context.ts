import type {
  HandleOutcome,
  ReceiptRef,
  SendOptions,
  SendOutcome,
  NewMessage,
} from '../../contract.js';
import type { Batcher } from './batcher.js';
import type { Db } from './db.js';
import type { Wakeups } from './listener.js';

/** What every PostgreSQL query module needs. */
export interface PgBase {
  readonly db: Db;
  /** The schema holding Ballast's tables (already on the pool's search_path). */
  readonly schema: string;
  /**
   * The `$now` parameter of every statement: the injected clock's time (tests), or null so that
   * SQL falls back to the database clock — `coalesce($now::bigint, ballast_now_ms())`.
   */
  readonly nowParam: () => number | null;
  /** NOTIFY channel of this schema (payload = queue id). */
  readonly channel: string;
  /** Local wake-ups, fired after commits this store made. */
  readonly wake: Wakeups;
  /** Advisory lock keys of this schema. */
  readonly locks: { readonly fifoClass: number; readonly queueNameClass: number };
}

/** One `send` call waiting for the group commit. */
export interface SendJob {
  readonly queueId: number;
  readonly messages: readonly NewMessage[];
  readonly deduplication: SendOptions['deduplication'];
}

/** One `deleteMessages` call waiting for the batched delete. */
export interface DeleteJob {
  readonly queueId: number;
  readonly refs: readonly ReceiptRef[];
}

/** The base plus the batchers that group concurrent calls into one transaction. */
export interface PgContext extends PgBase {
  readonly sends: Batcher<SendJob, SendOutcome[]>;
  readonly deletes: Batcher<DeleteJob, HandleOutcome[]>;
}
