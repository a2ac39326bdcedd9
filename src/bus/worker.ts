import { isBallastError } from '../core/errors.js';
import { fullJitterSeconds } from '../core/backoff.js';
import { prepareMessage, sendOptionsFor } from '../queue/prepare.js';
import {
  BUS_WAKE,
  type ClaimedDelivery,
  type DeliveryAttempt,
  type DeliveryFilter,
  type DeliverySettlement,
  type QueueSend,
} from '../store/bus-contract.js';
import type { BusDeps } from './deps.js';
import { DeliveryError, type FunctionTarget } from './invoke.js';
import type { CompiledRule } from './runtime.js';
import type { HttpInvoker } from './http-invoke.js';
import type { CompiledTarget } from './targets.js';
import { runLoop } from './loop.js';
import { waitForWake } from './wait.js';

/** A claim's lease outlives the attempt's timeout by this much, ms (then another worker may take it). */
const LEASE_MARGIN_MS = 5_000;

/** Delivery worker options. */
export interface DeliveryWorkerOptions {
  /** Deliveries attempted at once by this process. @defaultValue 50 */
  concurrency?: number;
  /** Deliveries attempted at once per route (one function, one destination), so one slow target cannot take every slot. @defaultValue 10 */
  perRoute?: number;
  /** Longest a function target may run, ms; it is aborted (TIMEOUT) after. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Retry delay: full-jitter exponential on the attempt number. @defaultValue 1 s → 300 s */
  retry?: { baseSeconds?: number; maxSeconds?: number };
  /** Longest wait between looks when no wake-up comes, ms. @defaultValue 1000 */
  pollMs?: number;
  /** Random source for jitter (tests). @defaultValue Math.random */
  random?: () => number;
}

/**
 * Attempts pending deliveries (targets not written at dispatch: functions, queues that were
 * missing or refused the message) with per-target retry policies and dead-letter queues. Each
 * route has its own concurrency cap: a dead target fills only its own slots.
 */
export class DeliveryWorker {
  readonly #d: BusDeps;
  readonly #functions: ReadonlyMap<string, FunctionTarget>;
  readonly #options: Required<Omit<DeliveryWorkerOptions, 'retry' | 'random'>> &
    Pick<DeliveryWorkerOptions, 'retry' | 'random'>;
  readonly #running = new Map<string, number>();
  #total = 0;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #slotFreed: (() => void) | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #http: HttpInvoker | null;

  constructor(
    deps: BusDeps,
    functions: ReadonlyMap<string, FunctionTarget>,
    options: DeliveryWorkerOptions = {},
    http: HttpInvoker | null = null,
  ) {
    this.#d = deps;
    this.#http = http;
    this.#functions = functions;
    this.#options = {
      concurrency: options.concurrency ?? 50,
      perRoute: options.perRoute ?? 10,
      timeoutMs: options.timeoutMs ?? 30_000,
      pollMs: options.pollMs ?? 1000,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.random ? { random: options.random } : {}),
    };
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  #filter(): DeliveryFilter {
    const busy = [...this.#running]
      .filter(([, n]) => n >= this.#options.perRoute)
      .map(([route]) => route);
    return {
      routes: [...this.#functions.keys()].map((n) => `fn:${n}`),
      routePrefixes: this.#http ? ['queue:', 'http:'] : ['queue:'],
      excludeRoutes: busy,
    };
  }

  /** Claims and attempts what is due now, once; resolves when those attempts are settled (tests). */
  async runOnce(): Promise<number> {
    const free = this.#options.concurrency - this.#total;
    if (free <= 0) return 0;
    const claimed = await this.#d.store.bus.claimDeliveries(
      this.#filter(),
      free,
      this.#options.timeoutMs + LEASE_MARGIN_MS,
    );
    await Promise.all(claimed.map((d) => this.#start(d)));
    return claimed.length;
  }

  #run(): Promise<void> {
    const signal = this.#stop.signal;
    return runLoop(
      signal,
      this.#d.clock,
      (error) => this.#d.events.emit('bus:error', { error }),
      async () => {
        if (this.#total >= this.#options.concurrency) {
          await new Promise<void>((resolve) => (this.#slotFreed = resolve));
          return;
        }
        let woke = false;
        const off = this.#d.store.bus.onWake(BUS_WAKE.deliveries, () => (woke = true));
        let claimed: ClaimedDelivery[];
        try {
          claimed = await this.#d.store.bus.claimDeliveries(
            this.#filter(),
            this.#options.concurrency - this.#total,
            this.#options.timeoutMs + LEASE_MARGIN_MS,
          );
        } finally {
          off();
        }
        for (const d of claimed) void this.#start(d);
        if (claimed.length > 0 || woke) return;
        const next = await this.#d.store.bus.nextDeliveryAt(this.#filter());
        const waitMs =
          next === null
            ? this.#options.pollMs
            : Math.max(1, Math.min(this.#options.pollMs, next - this.#d.clock.now()));
        await waitForWake(
          this.#d.clock,
          (wake) => {
            const offWake = this.#d.store.bus.onWake(BUS_WAKE.deliveries, wake);
            this.#slotFreed = wake;
            return () => {
              offWake();
              this.#slotFreed = null;
            };
          },
          waitMs,
          signal,
        );
      },
    );
  }

  #start(d: ClaimedDelivery): Promise<void> {
    const route = d.route ?? '';
    this.#running.set(route, (this.#running.get(route) ?? 0) + 1);
    this.#total++;
    const done = this.#attempt(d)
      .catch((error: unknown) => void this.#d.events.emit('bus:error', { error }))
      .finally(() => {
        const n = (this.#running.get(route) ?? 1) - 1;
        if (n === 0) this.#running.delete(route);
        else this.#running.set(route, n);
        this.#total--;
        this.#inFlight.delete(done);
        const freed = this.#slotFreed;
        this.#slotFreed = null;
        freed?.();
      });
    this.#inFlight.add(done);
    return done;
  }

  async #attempt(d: ClaimedDelivery): Promise<void> {
    const buses = await this.#d.state.current();
    const rule = buses.get(d.event.busId)?.rules.get(String(d.ruleId));
    const target = rule?.targets.find((t) => t.id === d.targetId);
    const now = this.#d.clock.now();
    const route = d.route ?? '';
    let error: DeliveryError | null = null;
    if (!rule || !target) {
      error = new DeliveryError(
        'NO_RESOURCE',
        'The rule or target was removed (or disabled) before the event was delivered.',
        false,
      );
    } else if (now - d.event.ingestedAt > target.maxAgeMs) {
      return this.#drop(
        d,
        rule,
        target,
        now,
        new DeliveryError('EXPIRED', 'The event is older than MaximumEventAgeInSeconds.', false),
        'MaximumEventAgeInSeconds',
      );
    } else {
      try {
        await this.#invoke(d, rule, target);
      } catch (e) {
        error =
          e instanceof DeliveryError
            ? e
            : new DeliveryError('HANDLER_ERROR', e instanceof Error ? e.message : String(e), true, {
                cause: e,
              });
      }
    }
    const attempt = {
      at: this.#d.clock.now(),
      ok: error === null,
      error: error?.code ?? null,
      message: error?.message ?? null,
    };
    if (error === null) {
      if (await this.#d.store.bus.settleDelivery(d.id, d.lease, { state: 'delivered', attempt })) {
        this.#d.events.emit('delivery:done', { deliveryId: d.id, route, attempts: d.attempts + 1 });
      }
      return;
    }
    const attempts = d.attempts + 1;
    if (!rule || !target) {
      await this.#d.store.bus.settleDelivery(d.id, d.lease, { state: 'failed', attempt });
      this.#d.events.emit('delivery:dropped', {
        deliveryId: d.id,
        route,
        deadLettered: false,
        reason: error.message,
      });
      return;
    }
    const retryAt =
      this.#d.clock.now() +
      fullJitterSeconds(attempts, this.#options.retry, this.#options.random) * 1000;
    if (
      error.retryable &&
      attempts <= target.maxRetries &&
      retryAt - d.event.ingestedAt <= target.maxAgeMs
    ) {
      await this.#d.store.bus.settleDelivery(d.id, d.lease, { state: 'pending', attempt, retryAt });
      this.#d.events.emit('delivery:failed', {
        deliveryId: d.id,
        route,
        error: error.code,
        message: error.message,
        retryAt,
      });
      return;
    }
    const condition = !error.retryable
      ? null
      : attempts > target.maxRetries
        ? 'MaximumRetryAttempts'
        : 'MaximumEventAgeInSeconds';
    this.#d.events.emit('delivery:failed', {
      deliveryId: d.id,
      route,
      error: error.code,
      message: error.message,
      retryAt: null,
    });
    await this.#drop(d, rule, target, attempt.at, error, condition, attempt);
  }

  /** Ends a delivery without success: to the target's dead-letter queue when it has one. */
  async #drop(
    d: ClaimedDelivery,
    rule: CompiledRule,
    target: CompiledTarget,
    at: number,
    error: DeliveryError,
    condition: string | null,
    attempt: DeliveryAttempt = { at, ok: false, error: error.code, message: error.message },
  ): Promise<void> {
    const deadLetter =
      target.deadLetterArn === null
        ? undefined
        : await this.#deadLetterSend(d, rule, target, error, condition);
    const settlement: DeliverySettlement = deadLetter
      ? { state: 'dead-lettered', attempt, deadLetter }
      : { state: 'failed', attempt };
    await this.#d.store.bus.settleDelivery(d.id, d.lease, settlement);
    this.#d.events.emit('delivery:dropped', {
      deliveryId: d.id,
      route: d.route ?? '',
      deadLettered: deadLetter !== undefined,
      reason: error.message,
    });
  }

  async #deadLetterSend(
    d: ClaimedDelivery,
    rule: CompiledRule,
    target: CompiledTarget,
    error: DeliveryError,
    condition: string | null,
  ): Promise<QueueSend | undefined> {
    const name = this.#d.queues.nameFromArn(target.deadLetterArn ?? '');
    const queue = name === undefined ? undefined : await this.#d.queues.record(name);
    if (!queue) return undefined; // EventBridge counts these as InvocationsFailedToBeSentToDLQ; the trace keeps the failure
    const str = (v: string) => ({ dataType: 'String', stringValue: v.length > 0 ? v : '-' });
    const attributes = {
      RULE_ARN: str(rule.arn),
      TARGET_ARN: str(target.arn),
      ERROR_CODE: str(error.code),
      ERROR_MESSAGE: str(error.message.slice(0, 1000)),
      RETRY_ATTEMPTS: { dataType: 'Number', stringValue: String(d.attempts) },
      ...(condition ? { EXHAUSTED_RETRY_CONDITION: str(condition) } : {}),
    };
    try {
      const { message } = prepareMessage(queue, d.event.body, { attributes }, this.#d.queueLimits);
      return {
        queueId: queue.id,
        messages: [message],
        options: sendOptionsFor(queue, this.#d.queueLimits),
      };
    } catch {
      return undefined;
    }
  }

  async #invoke(d: ClaimedDelivery, rule: CompiledRule, target: CompiledTarget): Promise<void> {
    const kind = target.kind;
    if (kind.kind === 'queue') {
      const queue = await this.#d.queues.record(kind.queue);
      if (!queue)
        throw new DeliveryError('NO_RESOURCE', `The queue ${kind.queue} does not exist.`, false);
      try {
        const { message } = prepareMessage(
          queue,
          d.payload,
          queue.settings.fifo
            ? {
                groupId: target.messageGroupId ?? undefined,
                deduplicationId: `${d.event.eventId}:${d.ruleId}:${d.targetId}`,
              }
            : {},
          this.#d.queueLimits,
        );
        await this.#d.store.queues.send(
          queue.id,
          [message],
          sendOptionsFor(queue, this.#d.queueLimits),
        );
      } catch (error) {
        if (isBallastError(error) && error.shape.fault === 'Sender') {
          throw new DeliveryError(
            'INVALID_MESSAGE',
            `The queue ${kind.queue} refused the message: ${error.message}`,
            false,
            { cause: error },
          );
        }
        throw error;
      }
      return;
    }
    if (kind.kind === 'function') {
      const fn = this.#functions.get(kind.name);
      if (!fn)
        throw new DeliveryError(
          'NO_RESOURCE',
          `No function ${kind.name} is registered in this process.`,
          true,
        );
      const timeout = new AbortController();
      const onStop = (): void => timeout.abort(new Error('the bus is stopping'));
      this.#stop.signal.addEventListener('abort', onStop, { once: true });
      const timer = this.#d.clock.sleep(this.#options.timeoutMs, timeout.signal).then((full) => {
        if (full)
          timeout.abort(
            new DeliveryError(
              'TIMEOUT',
              `The function ${kind.name} ran longer than ${this.#options.timeoutMs} ms.`,
              true,
            ),
          );
      });
      try {
        const event = JSON.parse(d.event.body) as Record<string, unknown>;
        const run = Promise.resolve(
          fn(event, {
            payload: d.payload,
            signal: timeout.signal,
            attempt: d.attempts + 1,
            ruleArn: rule.arn,
            targetId: target.id,
          }),
        );
        const aborted = new Promise<never>((_, reject) =>
          timeout.signal.addEventListener('abort', () => reject(timeout.signal.reason as Error), {
            once: true,
          }),
        );
        await Promise.race([run, aborted]);
      } finally {
        this.#stop.signal.removeEventListener('abort', onStop);
        if (!timeout.signal.aborted) timeout.abort();
        await timer;
      }
      return;
    }
    if (!this.#http)
      throw new DeliveryError(
        'NO_RESOURCE',
        `This process does not deliver to API destinations (${kind.destination}).`,
        true,
      );
    await this.#http.invoke(kind.destination, target, d.payload, this.#stop.signal);
  }

  /** Stops claiming; waits for attempts in progress (they settle, or their lease lapses). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#slotFreed?.();
    await this.#loop;
    await Promise.all([...this.#inFlight]);
  }
}
