import type { Clock } from '../core/clock.js';
import { BallastError } from '../core/errors.js';
import type {
  ArchivedEvent,
  ReplayPatch,
  ReplayRecord,
  ReplayState,
} from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import type { Archives } from './archives.js';
import { replayName as checkReplayName, description as checkDescription } from './names.js';
import type { ArnScope } from './targets.js';
import type { BusLimits } from './limits.js';
import type { BusRecord } from '../store/bus-contract.js';

/** StartReplay's fields (camelCase). */
export interface StartReplayOptions {
  replayName: string;
  description?: string;
  /** ARN (or name) of the archive to replay. */
  eventSourceArn: string;
  /** Window of event time: `eventStartTime <= time < eventEndTime` (Dates or epoch ms). */
  eventStartTime: Date | number;
  eventEndTime: Date | number;
  /** The bus to replay to (it must be the archive's bus), and optionally only some of its rules. */
  destination: { arn: string; filterArns?: string[] };
}

/** A replay as DescribeReplay shows it. */
export interface ReplayDescription {
  replayName: string;
  replayArn: string;
  description?: string;
  state: ReplayState;
  stateReason?: string;
  eventSourceArn: string;
  destination: { arn: string; filterArns?: string[] };
  /** Epoch ms. */
  eventStartTime: number;
  eventEndTime: number;
  eventLastReplayedTime?: number;
  replayStartTime: number;
  replayEndTime?: number;
  /** Events replayed so far (Ballast's addition). */
  replayedEvents: number;
}

/** What replays share with the bus manager. */
export interface ReplayContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly scope: ArnScope;
  readonly limits: BusLimits;
  readonly archives: Archives;
  bus(nameOrArn: string): Promise<BusRecord>;
  ruleId(bus: BusRecord, ruleArn: string): Promise<number>;
}

/** Archived events per replay step (one transaction with the progress). */
const BATCH = 100;
/** Replays running at once, across the service (EventBridge's quota). */
const MAX_ACTIVE = 10;
/** A runner writes progress at least this often, ms; a replay silent for this long is adopted. */
const ORPHANED_AFTER_MS = 30_000;
/** How often each process looks for orphaned replays, ms. */
const ADOPT_EVERY_MS = 10_000;
const ACTIVE: ReplayState[] = ['STARTING', 'RUNNING', 'CANCELLING'];

/**
 * `ballast.bus.replays`: sends archived events back to their bus, in event-time order, marked
 * with `replay-name` (and never archived again). Each step appends a batch of events and records
 * progress in ONE transaction, so a crash neither loses nor repeats a replayed event; a replay
 * whose runner died is adopted by another process after 30 s.
 */
export class Replays {
  readonly #ctx: ReplayContext;
  readonly #running = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  #watching: Promise<void> | undefined;

  /** @internal created by the bus manager. */
  constructor(ctx: ReplayContext) {
    this.#ctx = ctx;
  }

  /** ARN of a replay. */
  arn(name: string): string {
    return `arn:aws:events:${this.#ctx.scope.region}:${this.#ctx.scope.accountId}:replay/${name}`;
  }

  /** Starts a replay; at most 10 run at once (`LimitExceededException`). */
  async start(
    o: StartReplayOptions,
  ): Promise<{ replayArn: string; state: ReplayState; replayStartTime: number }> {
    const { store } = this.#ctx;
    const name = checkReplayName(o.replayName);
    const archive = await this.#ctx.archives.get(o.eventSourceArn);
    const from = time(o.eventStartTime, 'EventStartTime');
    const to = time(o.eventEndTime, 'EventEndTime');
    if (from >= to)
      throw new BallastError('ValidationException', 'EventStartTime must be before EventEndTime.');
    const bus = await this.#ctx.bus(o.destination.arn);
    if (bus.id !== archive.busId)
      throw new BallastError(
        'ValidationException',
        "Parameter Destination.Arn is not valid. Reason: it must be the archive's source event bus.",
      );
    const filterRuleIds = o.destination.filterArns
      ? await Promise.all(o.destination.filterArns.map((arn) => this.#ctx.ruleId(bus, arn)))
      : null;
    const active = (
      await Promise.all(ACTIVE.map((s) => store.bus.listReplays('', s, null, null, MAX_ACTIVE + 1)))
    ).flat();
    if (active.length >= MAX_ACTIVE)
      throw new BallastError(
        'LimitExceededException',
        `At most ${MAX_ACTIVE} replays can run at once.`,
      );
    const now = await store.now();
    const record: ReplayRecord = {
      name,
      description: checkDescription(o.description, this.#ctx.limits.maxDescriptionLength),
      archiveId: archive.id,
      archiveArn: this.#ctx.archives.arn(archive.name),
      busId: bus.id,
      destinationArn: o.destination.arn,
      filterRuleIds,
      filterArns: o.destination.filterArns ?? null,
      eventStartTime: from,
      eventEndTime: to,
      state: 'STARTING',
      stateReason: null,
      cursor: null,
      eventLastReplayedTime: null,
      replayed: 0,
      startedAt: now,
      endedAt: null,
      updatedAt: now,
    };
    if (!(await store.bus.createReplay(record)))
      throw new BallastError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    this.#launch(record);
    return { replayArn: this.arn(name), state: 'STARTING', replayStartTime: now };
  }

  /** Describes a replay with its progress. */
  async describe(name: string): Promise<ReplayDescription> {
    return this.#describe(await this.#get(name));
  }

  /** Lists replays by name prefix, state or archive. */
  async list(
    options: {
      namePrefix?: string;
      state?: ReplayState;
      eventSourceArn?: string;
      nextToken?: string;
      limit?: number;
    } = {},
  ): Promise<{ replays: ReplayDescription[]; nextToken?: string }> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
    const archiveArn =
      options.eventSourceArn === undefined
        ? null
        : this.#ctx.archives.arn(this.#ctx.archives.nameOf(options.eventSourceArn));
    const after =
      options.nextToken === undefined
        ? null
        : Buffer.from(options.nextToken, 'base64url').toString('utf8');
    const rows = await this.#ctx.store.bus.listReplays(
      options.namePrefix ?? '',
      options.state ?? null,
      archiveArn,
      after,
      limit + 1,
    );
    const replays = rows.slice(0, limit).map((r) => this.#describe(r));
    const last = rows.length > limit ? replays[replays.length - 1] : undefined;
    return {
      replays,
      ...(last ? { nextToken: Buffer.from(last.replayName).toString('base64url') } : {}),
    };
  }

  /** Cancels a STARTING or RUNNING replay (`IllegalStatusException` otherwise). */
  async cancel(name: string): Promise<{ replayArn: string; state: ReplayState }> {
    const r = await this.#get(name);
    const now = await this.#ctx.store.now();
    const updated = await this.#ctx.store.bus.updateReplay(
      name,
      { state: 'CANCELLING', updatedAt: Math.max(now, r.updatedAt) },
      { stateIn: ['STARTING', 'RUNNING'] },
    );
    if (!updated)
      throw new BallastError(
        'IllegalStatusException',
        `Replay ${name} is ${(await this.#get(name)).state}: only a STARTING or RUNNING replay can be cancelled.`,
      );
    return { replayArn: this.arn(name), state: 'CANCELLING' };
  }

  /** Waits for a replay started (or adopted) here to end (tests, CLI progress). */
  async wait(name: string): Promise<ReplayDescription> {
    await this.#running.get(name);
    return this.describe(name);
  }

  /** Keeps adopting replays whose runner went silent. Started by `openBallast`; ends with `close()`. */
  watch(): void {
    this.#watching ??= (async () => {
      while (await this.#ctx.clock.sleep(ADOPT_EVERY_MS, this.#stop.signal))
        await this.adoptOrphans().catch(() => undefined);
    })();
  }

  /** Adopts every active replay silent for 30 s and not running here; returns their names. */
  async adoptOrphans(): Promise<string[]> {
    const { store } = this.#ctx;
    const now = await store.now();
    const adopted: string[] = [];
    for (const state of ACTIVE) {
      for (const r of await store.bus.listReplays('', state, null, null, 100)) {
        if (this.#running.has(r.name)) continue;
        const mine = await store.bus.updateReplay(
          r.name,
          { updatedAt: now },
          { stateIn: ACTIVE, updatedBefore: now - ORPHANED_AFTER_MS },
        );
        if (!mine) continue;
        this.#launch(mine);
        adopted.push(r.name);
      }
    }
    return adopted;
  }

  /** Stops local runners; their replays stay active and another process adopts them. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#watching;
    await Promise.all(this.#running.values());
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #launch(r: ReplayRecord): void {
    const run = this.#run(r).finally(() => this.#running.delete(r.name));
    this.#running.set(r.name, run);
  }

  async #run(start: ReplayRecord): Promise<void> {
    const { store } = this.#ctx;
    let r = start;
    const step = async (
      patch: Omit<ReplayPatch, 'updatedAt'>,
      events: ArchivedEvent[] = [],
    ): Promise<ReplayRecord | undefined> => {
      // updatedAt must move even when the clock did not, so the next step's condition names this write.
      const updatedAt = Math.max(await store.now(), r.updatedAt + 1);
      return store.bus.updateReplay(
        r.name,
        { ...patch, updatedAt },
        { stateIn: ['STARTING', 'RUNNING'], updatedAt: r.updatedAt },
        events.map((e) => replayedEvent(e, r)),
      );
    };
    try {
      for (;;) {
        if (this.#stop.signal.aborted) return;
        const batch = await store.bus.readArchive(
          r.archiveId,
          r.eventStartTime,
          r.eventEndTime,
          r.cursor,
          BATCH,
        );
        const last = batch[batch.length - 1];
        const next = last
          ? await step(
              {
                state: 'RUNNING',
                cursor: { eventTime: last.eventTime, position: last.position },
                eventLastReplayedTime: last.eventTime,
                replayed: r.replayed + batch.length,
              },
              batch,
            )
          : await step({ state: 'COMPLETED', endedAt: await store.now() });
        if (!next) {
          // Cancelled (or adopted elsewhere after a long pause): finish a cancel, otherwise let go.
          const now = await store.now();
          await store.bus.updateReplay(
            r.name,
            { state: 'CANCELLED', endedAt: now, updatedAt: now },
            { stateIn: ['CANCELLING'] },
          );
          return;
        }
        r = next;
        if (r.state === 'COMPLETED') return;
      }
    } catch (error) {
      const now = await store.now().catch(() => Date.now());
      await store.bus
        .updateReplay(
          r.name,
          { state: 'FAILED', stateReason: String(error), endedAt: now, updatedAt: now },
          { stateIn: ACTIVE },
        )
        .catch(() => undefined);
    }
  }

  async #get(name: string): Promise<ReplayRecord> {
    const r = await this.#ctx.store.bus.getReplay(name);
    if (!r) throw new BallastError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return r;
  }

  #describe(r: ReplayRecord): ReplayDescription {
    return {
      replayName: r.name,
      replayArn: this.arn(r.name),
      ...(r.description !== null ? { description: r.description } : {}),
      state: r.state,
      ...(r.stateReason !== null ? { stateReason: r.stateReason } : {}),
      eventSourceArn: r.archiveArn,
      destination: {
        arn: r.destinationArn,
        ...(r.filterArns ? { filterArns: [...r.filterArns] } : {}),
      },
      eventStartTime: r.eventStartTime,
      eventEndTime: r.eventEndTime,
      ...(r.eventLastReplayedTime !== null
        ? { eventLastReplayedTime: r.eventLastReplayedTime }
        : {}),
      replayStartTime: r.startedAt,
      ...(r.endedAt !== null ? { replayEndTime: r.endedAt } : {}),
      replayedEvents: r.replayed,
    };
  }
}

/** The archived envelope with `replay-name` added (its detail text untouched), for the replay's rules only. */
function replayedEvent(e: ArchivedEvent, r: ReplayRecord) {
  const body = `{"replay-name":${JSON.stringify(r.name)},${e.body.slice(1)}`;
  const id = /"id":"([^"]+)"/.exec(e.body)?.[1] ?? '';
  return {
    busId: r.busId,
    eventId: id,
    body,
    eventTime: e.eventTime,
    replayName: r.name,
    onlyRuleIds: r.filterRuleIds,
  };
}

function time(v: Date | number, name: string): number {
  const ms = v instanceof Date ? v.getTime() : v;
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw new BallastError('ValidationException', `${name} must be a date.`);
  return ms;
}
