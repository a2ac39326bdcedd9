import type { Database } from 'better-sqlite3';

interface Job {
  run: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: write jobs submitted in the same turn of the event loop run in ONE transaction
 * (one fsync), each inside its own savepoint so a failing job rolls back alone. Every promise
 * settles only after the commit, so "acknowledged" still means "durable".
 *
 * A job may say it needs no fsync (a receive: losing its claim on power loss only makes the
 * message visible again, as when a visibility timeout ends). A transaction of such jobs only is
 * committed with `synchronous=NORMAL`: it survives a process crash (`kill -9`), not a power loss,
 * and does not stall the event loop on an fsync.
 */
export class GroupCommit {
  #queue: Job[] = [];
  #scheduled = false;
  readonly #db: Database;
  readonly #afterCommit: () => void;
  readonly #maxJobs: number;
  readonly #durableMode: 'FULL' | 'NORMAL';
  #mode: 'FULL' | 'NORMAL';

  /**
   * @param afterCommit - called once after each commit (fires wake-ups).
   * @param durableMode - the store's `synchronous` setting, used for durable jobs.
   * @param maxJobs - most jobs per transaction; keeps one transaction short. @defaultValue 512
   */
  constructor(db: Database, afterCommit: () => void, durableMode: 'FULL' | 'NORMAL', maxJobs = 512) {
    this.#db = db;
    this.#afterCommit = afterCommit;
    this.#durableMode = durableMode;
    this.#mode = durableMode;
    this.#maxJobs = maxJobs;
  }

  /**
   * Runs `job` in the next group transaction; resolves with its result after commit.
   * `durable: false` for jobs whose commit need not survive a power loss. @defaultValue true
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

  #flush(): void {
    const jobs = this.#queue.splice(0, this.#maxJobs);
    if (this.#queue.length > 0) setImmediate(() => this.#flush());
    else this.#scheduled = false;
    if (jobs.length === 0) return;
    const results: { ok: boolean; value: unknown }[] = [];
    const mode = jobs.some((j) => j.durable) ? this.#durableMode : 'NORMAL';
    if (mode !== this.#mode) {
      this.#db.pragma(`synchronous = ${mode}`);
      this.#mode = mode;
    }
    try {
      this.#db
        .transaction(() => {
          for (const job of jobs) {
            try {
              // A nested transaction is a savepoint: a throwing job undoes only its own writes.
              results.push({ ok: true, value: this.#db.transaction(job.run)() });
            } catch (error) {
              results.push({ ok: false, value: error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    this.#afterCommit();
    jobs.forEach((job, i) => {
      const r = results[i];
      if (r?.ok) job.resolve(r.value);
      else job.reject(r?.value);
    });
  }
}
