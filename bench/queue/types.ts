/**
 * The adapter contract every queue system implements for the queue benchmark. The runner owns
 * the workload (what is sent, how many in flight, what is timed); an adapter only maps the
 * operations to one system's API.
 */

/** The JSON payload every system carries (~200 bytes once serialised). */
export interface Payload {
  /** Sequence number within a phase. */
  seq: number;
  /** performance.now() just before the send call, in the sending process (latency phase only; 0 elsewhere). */
  t: number;
  /** Filler that brings the serialised payload to ~200 bytes. */
  pad: string;
}

/** Called at handler start with the decoded payload. */
export type PayloadHandler = (payload: Payload) => void;

/** A running consumer. */
export interface RunningConsumer {
  /** Stops fetching, lets running handlers finish, releases connections. */
  stop(): Promise<void>;
}

/** One fresh, empty queue for one phase of one run. */
export interface BenchQueue {
  /** One message, one call; resolves when the system acknowledges it. */
  send(payload: Payload): Promise<void>;
  /** Many messages the system's batched way (the adapter picks batch size and calls in flight; see `bulkMethod`). */
  sendBulk(payloads: Payload[]): Promise<void>;
  /** Starts consuming with `concurrency` handlers (see `consumeMethod`); resolves once started. */
  consume(handler: PayloadHandler, concurrency: number): Promise<RunningConsumer>;
  /** How many messages the store still holds as not done (waiting, delayed or in flight). */
  remaining(): Promise<number>;
  /** Removes the queue and whatever it still holds. */
  dispose(): Promise<void>;
}

/** One run of one system: its own fresh store (SQLite file, PostgreSQL schema, Redis key prefix). */
export interface SystemRun {
  /** A fresh empty queue for a phase; `phase` is unique within the run. */
  queue(phase: string): Promise<BenchQueue>;
  /** Closes every connection and removes the run's store (files, schema, keys). */
  close(): Promise<void>;
}

/** Static facts about a system, for the report. */
export interface SystemFacts {
  /** e.g. "Ballast 0.1.0 on SQLite 3.50.4". */
  label: string;
  /** Versions read at run time (package.json, SELECT version(), INFO server). */
  versions: Record<string, string>;
  /** What an acknowledgement promises on this system in this setup. */
  durability: string;
  /** How the batched enqueue is done. */
  bulkMethod: string;
  /** How consuming with concurrency 10 is done, and what "done" means for this system. */
  consumeMethod: string;
  /** Anything measured differently. */
  notes: string[];
}

/** A queue system under test. */
export interface QueueSystem {
  /** Stable id used by `--systems`. */
  readonly id: string;
  /**
   * At most this many runs of this system (a slow, poll-bound system would otherwise take most
   * of the time budget); the report says so. @defaultValue every run
   */
  readonly maxRuns?: number;
  /** A shorter per-phase time cap for this system, s. @defaultValue the global cap */
  readonly capSeconds?: number;
  /** Throws (with a clear message) when the system cannot run here; the runner then skips it. */
  facts(): Promise<SystemFacts>;
  /** Opens run `run` (fresh store). */
  open(run: number): Promise<SystemRun>;
}
