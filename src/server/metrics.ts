import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Ballast } from '../ballast.js';
import { isBallastError } from '../core/errors.js';
import type { QueueDepth } from '../queue/types.js';

/** Histogram buckets for request durations, seconds (long polls run up to 20 s). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

/**
 * The server's Prometheus metrics, on a Registry of its own (never prom-client's global one, so
 * two servers in one process do not collide). Queue gauges are read at scrape time; message
 * counters follow `ballast.queues.events`; `close()` removes the listeners.
 */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly #ballast: Ballast;
  readonly #off: (() => void)[] = [];
  readonly #gauges: { visible: Gauge; delayed: Gauge; inFlight: Gauge; oldest: Gauge };
  readonly #requests: Counter;
  readonly #duration: Histogram;

  constructor(ballast: Ballast) {
    this.#ballast = ballast;
    // Process and Node.js metrics (CPU, memory, event loop lag, GC, handles), once per registry:
    // every server has its own, so two servers in one process never register a name twice.
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const gauge = (name: string, help: string): Gauge =>
      new Gauge({ name, help, labelNames: ['queue'], registers });
    this.#gauges = {
      visible: gauge(
        'ballast_queue_messages_visible',
        'Messages available for receive (approximate).',
      ),
      delayed: gauge(
        'ballast_queue_messages_delayed',
        'Messages not yet visible because of a delay (approximate).',
      ),
      inFlight: gauge(
        'ballast_queue_messages_in_flight',
        'Messages received and not yet deleted (approximate).',
      ),
      oldest: gauge(
        'ballast_queue_oldest_message_age_seconds',
        'Age of the oldest message in the queue, seconds.',
      ),
    };
    const counter = (name: string, help: string): Counter =>
      new Counter({ name, help, labelNames: ['queue'], registers });
    const follow = (
      event: 'message:sent' | 'message:received' | 'message:deleted',
      c: Counter,
    ): void => {
      const listener = (e: { queue: string; count: number }): void => {
        if (e.count > 0) c.inc({ queue: e.queue }, e.count);
      };
      ballast.queues.events.on(event, listener);
      this.#off.push(() => ballast.queues.events.off(event, listener));
    };
    follow(
      'message:sent',
      counter('ballast_messages_sent_total', 'Messages stored by sends (duplicates excluded).'),
    );
    follow(
      'message:received',
      counter('ballast_messages_received_total', 'Messages handed out by receives.'),
    );
    follow(
      'message:deleted',
      counter('ballast_messages_deleted_total', 'Messages deleted (acknowledged).'),
    );
    this.#followBus(registers);
    this.#followStore(registers);
    this.#requests = new Counter({
      name: 'ballast_http_requests_total',
      help: 'HTTP requests answered, by operation and status.',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'ballast_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, seconds (long polls included).',
      labelNames: ['operation', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  /** Counters of the event bus: events put, dispatched, rule matches, delivery attempts and outcomes. */
  #followBus(registers: Registry[]): void {
    const bus = this.#ballast.bus.events;
    const put = new Counter({
      name: 'ballast_events_put_total',
      help: 'Events committed by putEvents, by bus.',
      labelNames: ['bus'],
      registers,
    });
    const dispatched = new Counter({
      name: 'ballast_events_dispatched_total',
      help: 'Events dispatched from the inbox (matched and delivered or queued for delivery).',
      registers,
    });
    const matched = new Counter({
      name: 'ballast_rule_matches_total',
      help: 'Rule matches of dispatched events.',
      registers,
    });
    const outcomes = new Counter({
      name: 'ballast_deliveries_total',
      help: 'Deliveries to rule targets by outcome (the one label): delivered (a queue target at dispatch, or a successful attempt of a function or API destination target), failed (an attempt failed; retried), failed_final (an attempt failed; not retried), dead_lettered (sent to the dead-letter queue), dropped (failed for good without one).',
      labelNames: ['outcome'],
      registers,
    });
    const parked = new Counter({
      name: 'ballast_events_parked_total',
      help: 'Events the dispatcher parked because they could not be matched, shaped or written.',
      registers,
    });
    // What this process dispatched before the registry existed (a backlog drained at start-up).
    const before = this.#ballast.bus.totals();
    dispatched.inc(before.dispatched);
    matched.inc(before.matched);
    parked.inc(before.parked);
    outcomes.inc({ outcome: 'delivered' }, before.queueDelivered);
    const on = <
      K extends
        | 'event:put'
        | 'dispatch:done'
        | 'dispatch:parked'
        | 'delivery:done'
        | 'delivery:failed'
        | 'delivery:dropped',
    >(
      event: K,
      listener: (...args: Parameters<Parameters<typeof bus.on<K>>[1]>) => void,
    ): void => {
      bus.on(event, listener as never);
      this.#off.push(() => bus.off(event, listener as never));
    };
    on('event:put', (e) => put.inc({ bus: e.bus }, e.count));
    on('dispatch:done', (e) => {
      dispatched.inc(e.events - e.parked);
      matched.inc(e.matched);
      // Queue targets are delivered in the dispatch transaction: no worker reports them.
      if (e.queueDelivered > 0) outcomes.inc({ outcome: 'delivered' }, e.queueDelivered);
    });
    on('dispatch:parked', () => parked.inc());
    on('delivery:done', () => outcomes.inc({ outcome: 'delivered' }));
    on('delivery:failed', (e) =>
      outcomes.inc({ outcome: e.retryAt === null ? 'failed_final' : 'failed' }),
    );
    on('delivery:dropped', (e) =>
      outcomes.inc({ outcome: e.deadLettered ? 'dead_lettered' : 'dropped' }),
    );
  }

  /** The store's write condition: a gauge read at scrape time and a counter of failed calls. */
  #followStore(registers: Registry[]): void {
    const store = this.#ballast.store;
    new Gauge({
      name: 'ballast_store_available',
      help: '1 while the store takes writes, 0 while they fail (full disk, I/O error, read-only file or server, lost connection).',
      registers,
      collect() {
        this.set(store.condition().writable ? 1 : 0);
      },
    });
    const errors = new Counter({
      name: 'ballast_store_errors_total',
      help: 'Store calls that failed for a reason outside Ballast, by the driver code (SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC, 53100, ECONNREFUSED...).',
      labelNames: ['code'],
      registers,
    });
    this.#off.push(
      store.onCondition((e) => {
        if (e.type === 'failure') errors.inc({ code: e.code });
      }),
    );
  }

  /** Records one answered request. */
  observeRequest(operation: string, status: number, seconds: number): void {
    const labels = { operation, status: String(status) };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds);
  }

  /** Refreshes the queue gauges from `queue.depth()` and renders the Prometheus text format. */
  async scrape(): Promise<string> {
    const depths: [string, QueueDepth][] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#ballast.queues.list({
        maxResults: 1000,
        ...(nextToken ? { nextToken } : {}),
      });
      for (const name of page.names) {
        try {
          depths.push([name, await (await this.#ballast.queues.get(name)).depth()]);
        } catch (error) {
          // A queue deleted between list and depth is simply not reported.
          if (!isBallastError(error) || error.code !== 'QueueDoesNotExist') throw error;
        }
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const g = this.#gauges;
    // Reset so deleted queues disappear from the output.
    for (const gauge of Object.values(g)) gauge.reset();
    for (const [queue, d] of depths) {
      g.visible.set({ queue }, d.visible);
      g.delayed.set({ queue }, d.delayed);
      g.inFlight.set({ queue }, d.inFlight);
      g.oldest.set({ queue }, d.oldestAgeSeconds);
    }
    return this.registry.metrics();
  }

  /** Stops following queue events; idempotent. */
  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
