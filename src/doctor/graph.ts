import type { Call, Interaction, RetrySpec, Topology } from './types.js';

const ONCE: RetrySpec = Object.freeze({ maxAttempts: 1 });

/** One layer that may retry: a call, or the outside clients of an entry interaction. */
export interface RetryLayer {
  readonly place: string;
  /** Who retries: a service name, or `outside clients`. */
  readonly caller: string;
  readonly callee: Interaction;
  readonly retry: RetrySpec;
  /** Whether repeating the call is safe (the call's `idempotent`, else the callee's). */
  readonly idempotent: boolean;
}

/** A call with both ends resolved and the callee's defaults applied. */
export interface Edge extends RetryLayer {
  readonly call: Call;
  /** Per-attempt timeout, ms: the call's, else the callee's `attemptTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** Who calls whom: the calls made while serving each interaction, entry calls and entry interactions. */
export class CallGraph {
  /** Every call whose callee exists. */
  readonly edges: readonly Edge[];
  /** Calls by services that serve no interaction: where outside traffic enters. */
  readonly entryEdges: readonly Edge[];
  /** Interactions no call in the topology makes synchronously. */
  readonly roots: readonly Interaction[];
  readonly #byName: ReadonlyMap<string, Interaction>;
  readonly #servedBy = new Map<string, Interaction[]>();

  constructor(readonly topology: Topology) {
    this.#byName = new Map(topology.interactions.map((i) => [i.name, i]));
    for (const i of topology.interactions) {
      if (i.service !== undefined)
        this.#servedBy.set(i.service, [...(this.#servedBy.get(i.service) ?? []), i]);
    }
    this.edges = topology.services.flatMap((s) => s.calls.flatMap((call) => this.#edge(call)));
    this.entryEdges = this.edges.filter(
      (e) => e.call.mode === 'sync' && !this.#servedBy.has(e.call.from),
    );
    const calledSync = new Set(
      this.edges.filter((e) => e.call.mode === 'sync').map((e) => e.callee.name),
    );
    this.roots = topology.interactions.filter((i) => !calledSync.has(i.name));
  }

  /** The calls made while serving `interaction`. */
  from(interaction: Interaction): Edge[] {
    if (interaction.service === undefined) return [];
    return this.edges.filter(
      (e) =>
        e.call.from === interaction.service &&
        (e.call.during === undefined || e.call.during.includes(interaction.name)),
    );
  }

  /** Every layer that may retry: all calls, plus the outside clients of entry interactions that declare `retry`. */
  retryLayers(): RetryLayer[] {
    const clients = this.roots.flatMap((i): RetryLayer[] =>
      i.retry === undefined
        ? []
        : [
            {
              place: i.place,
              caller: 'outside clients',
              callee: i,
              retry: i.retry,
              idempotent: i.idempotent,
            },
          ],
    );
    return [...clients, ...this.edges];
  }

  #edge(call: Call): Edge[] {
    const callee = this.#byName.get(call.to);
    if (callee === undefined) return [];
    const timeoutMs = call.timeoutMs ?? callee.attemptTimeoutMs;
    return [
      {
        place: call.place,
        caller: call.from,
        callee,
        call,
        retry: call.retry ?? callee.retry ?? ONCE,
        idempotent: call.idempotent ?? callee.idempotent,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      },
    ];
  }
}
