import type { Clock } from '../core/clock.js';

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
