/**
 * Collects deletes (acks) made in one turn of the event loop and sends them to the store as one
 * call: a consumer finishing 100 handlers at once costs one delete statement, not 100.
 */
export class AckBatcher {
  #pending: {
    handle: string;
    resolve: (deleted: boolean) => void;
    reject: (e: unknown) => void;
  }[] = [];
  #scheduled = false;
  readonly #deleteMany: (handles: string[]) => Promise<boolean[]>;

  /** @param deleteMany - deletes by receipt handles; answers per handle whether it was current. */
  constructor(deleteMany: (handles: string[]) => Promise<boolean[]>) {
    this.#deleteMany = deleteMany;
  }

  /** Deletes one message with the next batch; resolves true when the handle was current. */
  ack(handle: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ handle, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    try {
      const results = await this.#deleteMany(batch.map((b) => b.handle));
      batch.forEach((b, i) => b.resolve(results[i] === true));
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }
}
