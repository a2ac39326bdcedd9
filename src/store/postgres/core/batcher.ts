import { isUnavailable } from './errors.js';

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/** Limits of one batcher. */
export interface BatcherOptions<I> {
  /** Most items written together. */
  readonly maxItems: number;
  /** Most batches in flight at once (each holds one pooled connection). */
  readonly maxConcurrent: number;
  /** Size of one item (e.g. bytes); a batch stops growing at `maxWeight` (one item always fits). */
  readonly weigh?: (item: I) => number;
  readonly maxWeight?: number;
}

/**
 * Group commit over a pool: items submitted in the same turn of the event loop are written by
 * ONE call of `write` (one transaction, one round trip per statement for all of them), and
 * while `maxConcurrent` batches are in flight new items wait and form the next, larger batch.
 * Each item's promise settles only after its batch committed, so an ack still means durable.
 *
 * If a batch of several items fails for a reason other than the connection, each item is
 * written again on its own, so one bad item cannot fail the others.
 */
export class Batcher<I, O> {
  #queue: Pending<I, O>[] = [];
  #scheduled = false;
  #running = new Set<Promise<void>>();
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #options: BatcherOptions<I>;

  constructor(write: (items: I[]) => Promise<O[]>, options: BatcherOptions<I>) {
    this.#write = write;
    this.#options = options;
  }

  /** Queues `item` for the next batch; resolves with its result after the batch commits. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or being written. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#running.size > 0 || this.#scheduled) {
      await Promise.race([...this.#running, new Promise<void>((r) => setImmediate(r))]);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running.size >= this.#options.maxConcurrent) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#queue.length > 0 && this.#running.size < this.#options.maxConcurrent) {
      const batch = this.#queue.splice(0, this.#takeCount());
      const run: Promise<void> = this.#run(batch).finally(() => {
        this.#running.delete(run);
        if (this.#queue.length > 0) this.#schedule();
      });
      this.#running.add(run);
    }
  }

  /** How many queued items the next batch takes (by count, then by weight). */
  #takeCount(): number {
    const { maxItems, weigh, maxWeight } = this.#options;
    const limit = Math.min(maxItems, this.#queue.length);
    if (!weigh || maxWeight === undefined) return limit;
    let weight = 0;
    for (let n = 0; n < limit; n++) {
      weight += weigh(this.#queue[n]!.item);
      if (weight > maxWeight) return Math.max(1, n);
    }
    return limit;
  }

  async #run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.#write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1 || isUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // Isolate the failing item: every other one gets its own chance.
      await Promise.all(
        batch.map(async (p) => {
          try {
            const [result] = await this.#write([p.item]);
            p.resolve(result as O);
          } catch (own) {
            p.reject(own);
          }
        }),
      );
    }
  }
}
