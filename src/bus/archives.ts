import { BallastError } from '../core/errors.js';
import type { ArchiveRecord, BusRecord } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { checkPattern } from './matcher.js';
import { archiveName, description as checkDescription } from './names.js';
import type { ArnScope } from './targets.js';

/** Longest archive retention, days (100 years). More would overflow the stores' integer column; "forever" is 0. */
export const MAX_RETENTION_DAYS = 36_500;

/** An archive as DescribeArchive shows it. */
export interface ArchiveDescription {
  archiveName: string;
  archiveArn: string;
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  state: 'ENABLED' | 'DISABLED';
  /** Days events are kept; 0 = forever. */
  retentionDays: number;
  eventCount: number;
  sizeBytes: number;
  /** Epoch ms. */
  creationTime: number;
}

/** CreateArchive / UpdateArchive fields. */
export interface ArchiveOptions {
  description?: string;
  /** Only events matching this pattern are archived; none = every event (replays excepted). */
  eventPattern?: string | Record<string, unknown>;
  /** 0 (forever) to `MAX_RETENTION_DAYS`. @defaultValue 0 */
  retentionDays?: number;
}

/** What the archive API shares with the bus manager. */
export interface ArchiveContext {
  readonly store: Store;
  readonly scope: ArnScope;
  readonly limits: BusLimits;
  /** The bus of a name or ARN; throws `ResourceNotFoundException`. */
  bus(nameOrArn: string): Promise<BusRecord>;
  busArn(name: string): string;
}

/** `ballast.bus.archives`: events kept per bus (optionally filtered) for replays. Archiving happens at dispatch. */
export class Archives {
  readonly #ctx: ArchiveContext;

  /** @internal created by the bus manager. */
  constructor(ctx: ArchiveContext) {
    this.#ctx = ctx;
  }

  /** ARN of an archive. */
  arn(name: string): string {
    return `arn:aws:events:${this.#ctx.scope.region}:${this.#ctx.scope.accountId}:archive/${name}`;
  }

  /** The archive name in an archive ARN (or the name itself). */
  nameOf(nameOrArn: string): string {
    const prefix = this.arn('');
    return nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : nameOrArn;
  }

  /** Creates an archive of a bus (`ResourceAlreadyExistsException` when the name is taken). */
  async create(
    name: string,
    eventSourceArn: string,
    options: ArchiveOptions = {},
  ): Promise<{ archiveArn: string; state: 'ENABLED'; creationTime: number }> {
    archiveName(name);
    const bus = await this.#ctx.bus(eventSourceArn);
    const { created, archive } = await this.#ctx.store.bus.createArchive(
      name,
      bus.id,
      this.#fields(options),
    );
    if (!created)
      throw new BallastError('ResourceAlreadyExistsException', `Archive ${name} already exists.`);
    return { archiveArn: this.arn(name), state: 'ENABLED', creationTime: archive.createdAt };
  }

  /** Describes an archive with its event count and size. */
  async describe(name: string): Promise<ArchiveDescription> {
    const archive = await this.get(name);
    return this.#describe(archive, (await this.#busNames()).get(archive.busId));
  }

  /** Lists archives by name prefix, optionally of one bus. */
  async list(
    options: {
      namePrefix?: string;
      eventSourceArn?: string;
      nextToken?: string;
      limit?: number;
    } = {},
  ): Promise<{ archives: ArchiveDescription[]; nextToken?: string }> {
    const busId =
      options.eventSourceArn === undefined
        ? null
        : (await this.#ctx.bus(options.eventSourceArn)).id;
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
    const after =
      options.nextToken === undefined
        ? null
        : Buffer.from(options.nextToken, 'base64url').toString('utf8');
    const rows = await this.#ctx.store.bus.listArchives(
      options.namePrefix ?? '',
      busId,
      after,
      limit + 1,
    );
    const names = await this.#busNames();
    const archives = await Promise.all(
      rows.slice(0, limit).map((a) => this.#describe(a, names.get(a.busId))),
    );
    const last = rows.length > limit ? archives[archives.length - 1] : undefined;
    return {
      archives,
      ...(last ? { nextToken: Buffer.from(last.archiveName).toString('base64url') } : {}),
    };
  }

  /** Changes an archive's description, pattern or retention. */
  async update(
    name: string,
    options: ArchiveOptions,
  ): Promise<{ archiveArn: string; state: 'ENABLED' | 'DISABLED' }> {
    const archive = await this.get(name);
    const merged: ArchiveOptions = {
      ...(archive.description !== null ? { description: archive.description } : {}),
      ...(archive.eventPattern !== null ? { eventPattern: archive.eventPattern } : {}),
      retentionDays: archive.retentionDays,
      ...options,
    };
    const updated = await this.#ctx.store.bus.updateArchive(archive.id, this.#fields(merged));
    if (!updated)
      throw new BallastError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return { archiveArn: this.arn(name), state: updated.state };
  }

  /** Deletes an archive and its events (`ResourceNotFoundException` when absent). */
  async delete(name: string): Promise<void> {
    const archive = await this.get(name);
    await this.#ctx.store.bus.deleteArchive(archive.id);
  }

  /** @internal the stored archive of a name or ARN; throws `ResourceNotFoundException`. */
  async get(nameOrArn: string): Promise<ArchiveRecord> {
    const name = this.nameOf(nameOrArn);
    const archive = await this.#ctx.store.bus.getArchive(name);
    if (!archive)
      throw new BallastError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return archive;
  }

  #fields(o: ArchiveOptions): {
    eventPattern: string | null;
    description: string | null;
    retentionDays: number;
  } {
    const pattern =
      o.eventPattern === undefined
        ? null
        : typeof o.eventPattern === 'string'
          ? o.eventPattern
          : JSON.stringify(o.eventPattern);
    if (pattern !== null) checkPattern(pattern);
    const retention = o.retentionDays ?? 0;
    if (!Number.isInteger(retention) || retention < 0 || retention > MAX_RETENTION_DAYS) {
      throw new BallastError(
        'ValidationException',
        `RetentionDays must be a whole number of days from 0 to ${MAX_RETENTION_DAYS} (0 = forever).`,
      );
    }
    return {
      eventPattern: pattern,
      description: checkDescription(o.description, this.#ctx.limits.maxDescriptionLength),
      retentionDays: retention,
    };
  }

  /** Bus names by id (one read, whatever the number of archives described). */
  async #busNames(): Promise<Map<number, string>> {
    const buses = await this.#ctx.store.bus.listBuses('', null, this.#ctx.limits.maxBuses + 1);
    return new Map(buses.map((b) => [b.id, b.name]));
  }

  async #describe(
    a: ArchiveRecord,
    busName = `deleted-bus-${a.busId}`,
  ): Promise<ArchiveDescription> {
    const size = await this.#ctx.store.bus.archiveSize(a.id);
    return {
      archiveName: a.name,
      archiveArn: this.arn(a.name),
      eventSourceArn: this.#ctx.busArn(busName),
      ...(a.description !== null ? { description: a.description } : {}),
      ...(a.eventPattern !== null ? { eventPattern: a.eventPattern } : {}),
      state: a.state,
      retentionDays: a.retentionDays,
      eventCount: size.events,
      sizeBytes: size.bytes,
      creationTime: a.createdAt,
    };
  }
}
