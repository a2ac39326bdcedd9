import { randomUUID } from 'node:crypto';
import { BallastError, check } from '../core/errors.js';
import { markClosed, markRunning } from '../core/lifecycle.js';
import { newMessageId } from '../core/ids.js';
import type {
  MoveDestination,
  MoveTaskPatch,
  MoveTaskRecord,
  QueueRecord,
} from '../store/contract.js';
import type { QueueContext } from './context.js';

/** Options of a message move task. */
export interface StartMoveTaskOptions {
  /** ARN of the dead-letter queue to empty. */
  sourceArn: string;
  /** Where to move; absent = each message back to the queue it was dead-lettered from. */
  destinationArn?: string;
  /** Messages per second (1–500); absent = as fast as the store allows, in batches. */
  maxNumberOfMessagesPerSecond?: number;
}

/** A move task as users see it (SQS ListMessageMoveTasks shape, camelCase). */
export type MoveTask = MoveTaskRecord;

/** Messages moved per store call when no rate is set. */
const UNTHROTTLED_BATCH = 500;
/** A runner records progress at least this often, ms; a task silent for `ORPHANED_AFTER_MS` is adopted. */
const ORPHANED_AFTER_MS = 30_000;
/** How often each process looks for orphaned tasks (their runner's process died), ms. */
const ADOPT_EVERY_MS = 10_000;

/**
 * Dead-letter redrive: moves messages out of a DLQ at a rate, with progress, cancellable.
 * A task runs in the process that started it; its record (progress, status) is in the store.
 */
export class MoveTasks {
  readonly #ctx: QueueContext;
  readonly #running = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  #watching: Promise<void> | undefined;

  /** @internal */
  constructor(ctx: QueueContext) {
    this.#ctx = ctx;
  }

  /** Starts a task; returns its handle. One running task per source queue. */
  async start(options: StartMoveTaskOptions): Promise<string> {
    const ctx = this.#ctx;
    const sourceName = ctx.nameFromArn(options.sourceArn);
    if (sourceName === undefined)
      throw new BallastError(
        'ResourceNotFoundException',
        `The resource that you specified for the SourceArn parameter doesn't exist.`,
      );
    const source = await ctx.resolve(sourceName).catch(() => {
      throw new BallastError(
        'ResourceNotFoundException',
        `The resource that you specified for the SourceArn parameter doesn't exist.`,
      );
    });
    const all = await ctx.store.queues.listQueues('', null, 100_000);
    const isDlq = all.some(
      (q) => q.settings.redrivePolicy?.deadLetterTargetArn === options.sourceArn,
    );
    check(isDlq, 'Source queue must be configured as a Dead Letter Queue.');
    if (options.destinationArn !== undefined) {
      const destName = ctx.nameFromArn(options.destinationArn);
      const dest =
        destName === undefined ? undefined : await ctx.resolve(destName).catch(() => undefined);
      if (!dest)
        throw new BallastError(
          'ResourceNotFoundException',
          `The resource that you specified for the DestinationArn parameter doesn't exist.`,
        );
      check(
        dest.settings.fifo === source.settings.fifo,
        'Source and destination queues must be of the same type.',
      );
    }
    const rate = options.maxNumberOfMessagesPerSecond;
    if (rate !== undefined) {
      check(
        Number.isInteger(rate) && rate >= 1 && rate <= ctx.limits.maxMoveRate,
        `MaxNumberOfMessagesPerSecond must be between 1 and ${ctx.limits.maxMoveRate}.`,
      );
    }
    const active = await ctx.store.queues.listMoveTasks(source.id, 10);
    if (active.some((t) => t.status === 'RUNNING' || t.status === 'CANCELLING')) {
      throw new BallastError(
        'UnsupportedOperation',
        'There is already a task running for this source queue. Only one active task is allowed for each source queue.',
      );
    }
    const stats = await ctx.store.queues.stats(source.id);
    const now = await ctx.store.now();
    const task: MoveTaskRecord = {
      handle: Buffer.from(JSON.stringify({ id: randomUUID(), source: options.sourceArn })).toString(
        'base64url',
      ),
      sourceQueueId: source.id,
      sourceArn: options.sourceArn,
      destinationArn: options.destinationArn ?? null,
      maxPerSecond: rate ?? null,
      status: 'RUNNING',
      moved: 0,
      toMove: stats.visible + stats.inFlight + stats.delayed,
      failureReason: null,
      startedAt: now,
      updatedAt: now,
    };
    await ctx.store.queues.putMoveTask(task);
    this.#launch(task, source);
    return task.handle;
  }

  /** Tasks of a source DLQ, newest first (1–10, default 1). */
  async list(sourceArn: string, maxResults = 1): Promise<MoveTask[]> {
    check(
      Number.isInteger(maxResults) && maxResults >= 1 && maxResults <= 10,
      'MaxResults must be between 1 and 10.',
    );
    const name = this.#ctx.nameFromArn(sourceArn);
    const source =
      name === undefined ? undefined : await this.#ctx.resolve(name).catch(() => undefined);
    if (!source)
      throw new BallastError(
        'ResourceNotFoundException',
        `The resource that you specified for the SourceArn parameter doesn't exist.`,
      );
    return this.#ctx.store.queues.listMoveTasks(source.id, maxResults);
  }

  /** Asks a running task to stop; returns how many it had moved. */
  async cancel(handle: string): Promise<number> {
    const store = this.#ctx.store.queues;
    const task = await store.getMoveTask(handle);
    if (!task) throw new BallastError('ResourceNotFoundException', 'The task handle is not valid.');
    const updated = await store.updateMoveTask(
      handle,
      { status: 'CANCELLING', updatedAt: task.updatedAt },
      { statusIn: ['RUNNING'] },
    );
    if (!updated)
      throw new BallastError(
        'UnsupportedOperation',
        `Only a RUNNING task can be cancelled; this one is ${(await store.getMoveTask(handle))?.status}.`,
      );
    return updated.moved;
  }

  /** Waits for a task started here to end (tests and the CLI's progress bar). */
  async wait(handle: string): Promise<MoveTask | undefined> {
    await this.#running.get(handle);
    return this.#ctx.store.queues.getMoveTask(handle);
  }

  /**
   * Keeps adopting tasks whose runner went silent (its process died), so a redrive finishes on
   * any node of the service. Started by `openBallast`; ends with `close()`.
   */
  watch(): void {
    if (!this.#watching && !this.#stop.signal.aborted) markRunning(this, 'move-task watcher');
    this.#watching ??= (async () => {
      const { clock } = this.#ctx;
      while (await clock.sleep(ADOPT_EVERY_MS, this.#stop.signal)) {
        await this.adoptOrphans().catch(() => undefined);
      }
    })();
  }

  /** Adopts every active task not updated for 30 s and not running here; returns their handles. */
  async adoptOrphans(): Promise<string[]> {
    const { store } = this.#ctx;
    const now = await store.now();
    const adopted: string[] = [];
    for (const task of await store.queues.listActiveMoveTasks()) {
      if (this.#running.has(task.handle)) continue;
      const mine = await store.queues.updateMoveTask(
        task.handle,
        { updatedAt: now },
        { statusIn: ['RUNNING', 'CANCELLING'], updatedBefore: now - ORPHANED_AFTER_MS },
      );
      if (!mine) continue; // fresh, or another node adopted it first
      const source = await this.#sourceOf(mine);
      if (!source) {
        await store.queues.updateMoveTask(
          mine.handle,
          { status: 'FAILED', failureReason: 'source queue no longer exists', updatedAt: now },
          { statusIn: ['RUNNING', 'CANCELLING'] },
        );
        continue;
      }
      this.#launch(mine, source);
      adopted.push(mine.handle);
    }
    return adopted;
  }

  /** Stops local runners (on close); their tasks stay RUNNING and another node adopts them. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#watching;
    await Promise.all(this.#running.values());
    markClosed(this);
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #sourceOf(task: MoveTaskRecord): Promise<QueueRecord | undefined> {
    const name = this.#ctx.nameFromArn(task.sourceArn);
    const q = name === undefined ? undefined : await this.#ctx.store.queues.getQueue(name);
    return q?.id === task.sourceQueueId ? q : undefined;
  }

  #launch(task: MoveTaskRecord, source: QueueRecord): void {
    const run = this.#run(task, source).finally(() => this.#running.delete(task.handle));
    this.#running.set(task.handle, run);
  }

  async #run(task: MoveTaskRecord, source: QueueRecord): Promise<void> {
    const { store, clock } = this.#ctx;
    const update = (
      patch: Omit<MoveTaskPatch, 'updatedAt'>,
      statusIn: MoveTaskRecord['status'][],
    ) =>
      store
        .now()
        .then((now) =>
          store.queues.updateMoveTask(task.handle, { ...patch, updatedAt: now }, { statusIn }),
        );
    let moved = task.moved;
    try {
      for (;;) {
        if (this.#stop.signal.aborted) return;
        const stored = await store.queues.getMoveTask(task.handle);
        if (stored?.status === 'CANCELLING') {
          await update({ status: 'CANCELLED', moved }, ['CANCELLING']);
          return;
        }
        if (stored?.status !== 'RUNNING') return;
        const { destination, origins } = await this.#routes(task);
        const limit = task.maxPerSecond ?? UNTHROTTLED_BATCH;
        const started = clock.now();
        const r = await store.queues.moveMessages(
          source.id,
          destination,
          origins,
          limit,
          newMessageId,
        );
        moved += r.moved;
        if (r.moved === 0) {
          const failed = r.unroutable > 0;
          await update(
            {
              moved,
              status: failed ? 'FAILED' : 'COMPLETED',
              failureReason: failed
                ? `${r.unroutable} messages have no live source queue to return to`
                : null,
            },
            ['RUNNING'],
          );
          return;
        }
        // Progress doubles as this runner's heartbeat. A cancel in between makes it not apply;
        // the next turn sees CANCELLING.
        await update({ moved }, ['RUNNING']);
        // A rate is a per-second budget: wait out the rest of the second.
        if (task.maxPerSecond !== null)
          await clock.sleep(Math.max(0, 1000 - (clock.now() - started)), this.#stop.signal);
      }
    } catch (error) {
      await update({ moved, status: 'FAILED', failureReason: String(error) }, [
        'RUNNING',
        'CANCELLING',
      ]).catch(() => undefined);
    }
  }

  async #routes(
    task: MoveTaskRecord,
  ): Promise<{ destination: MoveDestination | null; origins: Map<string, MoveDestination> }> {
    const ctx = this.#ctx;
    const toDest = (q: QueueRecord): MoveDestination => ({
      queueId: q.id,
      retentionMs: q.settings.messageRetentionPeriod * 1000,
      fifo: q.settings.fifo,
    });
    if (task.destinationArn !== null) {
      const name = ctx.nameFromArn(task.destinationArn);
      const q = name === undefined ? undefined : await ctx.store.queues.getQueue(name);
      if (!q) throw new Error('destination queue no longer exists');
      return { destination: toDest(q), origins: new Map() };
    }
    const all = await ctx.store.queues.listQueues('', null, 100_000);
    return { destination: null, origins: new Map(all.map((q) => [ctx.arn(q.name), toDest(q)])) };
  }
}
