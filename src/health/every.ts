import type { Clock } from '../core/clock.js';
import { markClosed, markRunning } from '../core/lifecycle.js';

/**
 * Runs `step` now and then every `intervalMs` until stopped — the fixed-rate loop of the config
 * publisher, the config subscriber and the aggregate. A step that throws is reported to
 * `onError` and the loop goes on: a bad round must not end the schedule.
 */
export class Every {
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly step: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Starts the loop; idempotent. */
  start(): void {
    if (this.#loop) return;
    const stop = (this.#stop = new AbortController());
    this.#loop = (async () => {
      do {
        await this.step().catch(this.onError);
      } while (await this.clock.sleep(this.intervalMs, stop.signal));
    })();
  }

  /** Stops it; resolves once the current step (if any) has finished. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    this.#loop = undefined;
  }
}

/**
 * A service driven by one {@link Every} loop: `start()`, `stop()` and `await using`, listed as
 * running for the leak check in between. The subclass creates its loop in its constructor
 * (`this.schedule(new Every(…))`), once its own options are resolved.
 */
export abstract class ScheduledService {
  #every: Every | undefined;

  /** `runningAs`: how the lifecycle list names it while it runs. */
  protected constructor(private readonly runningAs: string) {}

  /** Sets the loop; called once by the subclass's constructor. */
  protected schedule(every: Every): void {
    this.#every = every;
  }

  /** Runs the loop now and every interval until `stop()`; idempotent. */
  start(): void {
    markRunning(this, this.runningAs);
    this.#loop().start();
  }

  /** Stops the loop; resolves once the current round has finished. Idempotent. */
  async stop(): Promise<void> {
    await this.#loop().stop();
    markClosed(this);
  }

  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #loop(): Every {
    if (!this.#every) throw new TypeError(`${this.runningAs}: schedule() was not called`);
    return this.#every;
  }
}
