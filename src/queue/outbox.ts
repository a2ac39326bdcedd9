import { BallastError } from '../core/errors.js';
import { formatSequenceNumber } from '../core/ids.js';
import type { NewMessage, QueueRecord, SendOutcome, SendOptions } from '../store/contract.js';
import type { StoreTransaction } from '../store/transaction.js';
import type { QueueContext } from './context.js';
import { md5OfSystemAttributes, prepareMessage } from './prepare.js';
import type { SendMessageOptions, SendResult } from './types.js';

/**
 * Transactional outbox: sends that commit with the caller's own rows or not at all. Get one with
 * `await queue.outbox()`; it holds the queue's settings as they were then.
 */
export class Outbox {
  readonly #ctx: QueueContext;
  readonly #queue: QueueRecord;

  /** @internal */
  constructor(ctx: QueueContext, queue: QueueRecord) {
    this.#ctx = ctx;
    this.#queue = queue;
  }

  /**
   * Sends inside the caller's transaction: a `pg` client between BEGIN and COMMIT on Ballast's
   * PostgreSQL database, or a better-sqlite3 Database on Ballast's SQLite file with a transaction
   * open. Consumers are woken only after the caller commits.
   */
  async send(
    transaction: unknown,
    body: string,
    options: Omit<SendMessageOptions, 'transaction'> = {},
  ): Promise<SendResult> {
    const { message, sendOptions } = this.#prepare(transaction, body, options);
    const [outcome] = await this.#ctx.store.queues.send(this.#queue.id, [message], sendOptions);
    return this.#result(message, outcome!);
  }

  /**
   * SQLite only: sends synchronously inside `db.transaction(() => { … })()` on the caller's own
   * better-sqlite3 Database (same file as Ballast's store), where no `await` is possible.
   */
  sendSync(
    db: unknown,
    body: string,
    options: Omit<SendMessageOptions, 'transaction'> = {},
  ): SendResult {
    const sync = this.#ctx.store.queues.sendWithinSync;
    if (!sync) {
      throw new BallastError(
        'UnsupportedOperation',
        'this store has no synchronous transactions; use await outbox.send(client, …)',
      );
    }
    const { message, sendOptions } = this.#prepare(db, body, options);
    const [outcome] = sync.call(this.#ctx.store.queues, this.#queue.id, [message], sendOptions);
    return this.#result(message, outcome!);
  }

  /**
   * Sends inside a transaction the store opened for your code (`tx` of a transactional
   * idempotency run or soft-real-time handler): synchronously when the store's transactions are
   * synchronous (`capabilities.synchronousTransactions`), else with a promise.
   */
  sendInTransaction(
    tx: StoreTransaction,
    body: string,
    options: Omit<SendMessageOptions, 'transaction'> = {},
  ): SendResult | Promise<SendResult> {
    const { message, sendOptions } = this.#prepare(tx, body, options);
    const { transaction: _, ...rest } = sendOptions;
    const sent = this.#ctx.store.queues.sendInTransaction(tx, this.#queue.id, [message], rest);
    return sent instanceof Promise
      ? sent.then(([outcome]) => this.#result(message, outcome!))
      : this.#result(message, sent[0]!);
  }

  #prepare(transaction: unknown, body: string, options: Omit<SendMessageOptions, 'transaction'>) {
    if (transaction === undefined || transaction === null) {
      throw new BallastError(
        'MissingParameter',
        "an outbox send needs the caller's transaction (pg client or better-sqlite3 Database)",
      );
    }
    const q = this.#queue;
    const { message } = prepareMessage(q, body, options, this.#ctx.limits);
    const sendOptions: SendOptions & { transaction: unknown } = {
      transaction,
      ...(q.settings.fifo
        ? {
            deduplication: {
              windowMs: this.#ctx.limits.deduplicationInterval * 1000,
              perGroup: q.settings.deduplicationScope === 'messageGroup',
            },
          }
        : {}),
    };
    return { message, sendOptions };
  }

  #result(m: NewMessage, o: SendOutcome): SendResult {
    const r: SendResult = { messageId: o.messageId, md5OfMessageBody: m.md5OfBody };
    if (m.md5OfAttributes !== null) r.md5OfMessageAttributes = m.md5OfAttributes;
    const sys = md5OfSystemAttributes(m.traceHeader);
    if (sys !== undefined) r.md5OfMessageSystemAttributes = sys;
    if (this.#queue.settings.fifo) r.sequenceNumber = formatSequenceNumber(o.position);
    return r;
  }
}
