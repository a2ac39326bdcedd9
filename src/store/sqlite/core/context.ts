import type { Database } from 'better-sqlite3';
import type { WakeHub } from '../../shared/wake.js';
import type { GroupCommit } from './group-commit.js';

/** What every SQLite query module needs. */
export interface SqliteContext {
  readonly db: Database;
  /** Epoch ms from the injected clock. */
  readonly now: () => number;
  /** Batches writes into group transactions. */
  readonly commit: GroupCommit;
  /** Marks a queue for a wake-up after the current group commit. */
  readonly wakeAfterCommit: (queueId: number) => void;
  /** Fires wake-ups at once (for commits Ballast does not own). */
  readonly wake: WakeHub;
}
