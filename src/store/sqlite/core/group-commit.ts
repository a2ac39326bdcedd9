import type { Database } from 'better-sqlite3';

interface Job {
  run: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: write jobs submitted in the same turn of the event loop run in ONE transaction,
 * each inside its own savepoint so a failing job rolls back alone.
 *
 * Durability without blocking: transactions commit with `synchronous=NORMAL` (no fsync on the
 * event loop), then the WAL file is fdatasync'ed on libuv's thread pool; a durable job (a send)
 * resolves only after the fsync that follows its commit, so "acknowledged" still means
 * "survives power loss". One fsync covers every commit made before it started. Consumers are
 * woken right after the commit: a handler may start before its send is acknowledged, never
 * after a loss of an acknowledged send. Jobs marked not durable (claims, deletes) resolve at
 * commit: a power loss can only undo the last of them.
 *
 * Failure: a job that throws rolls back its savepoint and fails alone. But SQLite answers some
 * errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_NOMEM) by rolling back the WHOLE
 * transaction (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"):
 * the jobs before it lost their writes, and a job after it would run (and commit) on its own in
 * autocommit mode. So once the transaction is gone, or COMMIT fails, every job of the batch is
 * rejected with that error and nothing more runs in it; the next batch starts a fresh
 * transaction. No job is ever resolved without its writes committed.
 */
export class GroupCommit {
  #queue: Job[] = [];
  #scheduled = false;
  readonly #db: Database;
  readonly #afterCommit: () => void;
  readonly #syncWal: (() => Promise<void>) | null;
  readonly #maxJobs: number;
  readonly #durableDone: () => void;
  #awaitingSync: { job: Job; value: unknown }[] = [];
  #syncing = false;

  /**
   * @param afterCommit - called once after each commit (fires wake-ups).
   * @param syncWal - fsyncs the WAL off the event loop; null when acks need no fsync
   *   (`synchronous=normal`, in-memory databases). Its rejection reaches the durable jobs as is.
   * @param maxJobs - most jobs per transaction; keeps one transaction short. @defaultValue 512
   * @param durableDone - called when durable jobs succeeded (after their fsync): the store can
   *   take new data (clears a failed write condition). @defaultValue no-op
   */
  constructor(
    db: Database,
    afterCommit: () => void,
    syncWal: (() => Promise<void>) | null,
    maxJobs = 512,
    durableDone: () => void = () => undefined,
  ) {
    this.#db = db;
    this.#afterCommit = afterCommit;
    this.#syncWal = syncWal;
    this.#maxJobs = maxJobs;
    this.#durableDone = durableDone;
  }

  /**
   * Runs `job` in the next group transaction; resolves with its result after commit, and for a
   * durable job (the default) after the WAL fsync that follows the commit.
   */
  run<T>(job: () => T, durable = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: job, durable, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Resolves after every durable job submitted so far is fsynced (for close). */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#awaitingSync.length > 0 || this.#syncing) {
      await new Promise((r) => setImmediate(r));
    }
  }

  #flush(): void {
    const jobs = this.#queue.splice(0, this.#maxJobs);
    if (this.#queue.length > 0) setImmediate(() => this.#flush());
    else this.#scheduled = false;
    if (jobs.length === 0) return;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.#db
        .transaction(() => {
          for (const job of jobs) {
            try {
              // A nested transaction is a savepoint: a throwing job undoes only its own writes.
              results.push({ ok: true, value: this.#db.transaction(job.run)() });
            } catch (error) {
              // SQLite rolled the whole transaction back (see the class note): end the batch here.
              if (!this.#db.inTransaction) throw error;
              results.push({ ok: false, value: error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // BEGIN or COMMIT failed, or the transaction was lost; better-sqlite3 rolled back what it
      // could. Leave the connection outside any transaction for the next batch, whatever happened.
      if (this.#db.inTransaction) {
        try {
          this.#db.exec('ROLLBACK');
        } catch {
          // Already rolled back by SQLite: nothing left to undo.
        }
      }
      for (const job of jobs) job.reject(error);
      return;
    }
    this.#afterCommit();
    let durable = false;
    jobs.forEach((job, i) => {
      const r = results[i];
      if (!r?.ok) job.reject(r?.value);
      else if (job.durable && this.#syncWal) this.#awaitingSync.push({ job, value: r.value });
      else {
        durable ||= job.durable;
        job.resolve(r.value);
      }
    });
    if (durable) this.#durableDone();
    this.#sync();
  }

  #sync(): void {
    if (this.#syncing || this.#awaitingSync.length === 0 || !this.#syncWal) return;
    const batch = this.#awaitingSync;
    this.#awaitingSync = [];
    this.#syncing = true;
    this.#syncWal().then(
      () => {
        this.#syncing = false;
        for (const { job, value } of batch) job.resolve(value);
        this.#durableDone();
        this.#sync();
      },
      (error: unknown) => {
        this.#syncing = false;
        for (const { job } of batch) job.reject(error);
        this.#sync();
      },
    );
  }
}
