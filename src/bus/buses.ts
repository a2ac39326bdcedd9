import { BallastError } from '../core/errors.js';
import type { BusEdit, BusRecord } from '../store/bus-contract.js';
import type { BusApiDeps } from './deps.js';
import { busName as checkBusName, checkTags, description as checkDescription } from './names.js';
import { fromToken, page, pageLimit } from './paging.js';
import {
  checkPolicyText,
  grantPermission,
  revokePermission,
  type PermissionGrant,
} from './policy.js';
import type {
  CreateEventBusOptions,
  EventBusDescription,
  PageOptions,
  UpdateEventBusOptions,
} from './types.js';

/** The bus every node creates, and the one calls without a bus name work on. */
export const DEFAULT_BUS = 'default';
/** How long a bus record is reused, ms; a bus deleted on another node is seen after this. */
const BUS_CACHE_MS = 1000;

/** What the objects that work on one bus at a time (event log, rules, targets) read: the bus API's deps and the buses. */
export interface OnBusDeps extends BusApiDeps {
  readonly buses: Buses;
}

/** Event buses: the default bus, create / describe / list / delete, and a bus by name or ARN. */
export class Buses {
  readonly #deps: BusApiDeps;
  #ready: Promise<void> | null = null;
  readonly #cache = new Map<string, { bus: BusRecord; until: number }>();

  /** @internal created by the bus manager. */
  constructor(deps: BusApiDeps) {
    this.#deps = deps;
  }

  /** Makes sure the `default` bus exists (every node may call it; it is idempotent). */
  ready(): Promise<void> {
    // A failure (the store is down) is not remembered: the next call tries again.
    return (this.#ready ??= this.#deps.store.bus
      .createBus(DEFAULT_BUS, { description: null, deadLetterArn: null, tags: {} })
      .then(
        () => undefined,
        (error: unknown) => {
          this.#ready = null;
          throw error;
        },
      ));
  }

  /** ARN of a bus. */
  arn(name: string): string {
    return `arn:aws:events:${this.#deps.options.region}:${this.#deps.options.accountId}:event-bus/${name}`;
  }

  /** Creates a bus (`ResourceAlreadyExistsException` when the name is taken). */
  async create(
    name: string,
    options: CreateEventBusOptions = {},
  ): Promise<{ eventBusArn: string }> {
    await this.ready();
    checkBusName(name);
    if (name.startsWith('aws.'))
      throw new BallastError(
        'ValidationException',
        'Event bus names starting with aws. are reserved for partner buses.',
      );
    const count = (
      await this.#deps.store.bus.listBuses('', null, this.#deps.options.limits.maxBuses + 1)
    ).length;
    if (count >= this.#deps.options.limits.maxBuses) {
      throw new BallastError(
        'LimitExceededException',
        `The limit of ${this.#deps.options.limits.maxBuses} event buses has been reached.`,
      );
    }
    const { created } = await this.#deps.store.bus.createBus(name, {
      description: checkDescription(
        options.description,
        this.#deps.options.limits.maxDescriptionLength,
      ),
      deadLetterArn: options.deadLetterConfig?.arn ?? null,
      tags: checkTags(options.tags ?? {}),
      kmsKeyIdentifier: options.kmsKeyIdentifier || null,
    });
    if (!created)
      throw new BallastError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return { eventBusArn: this.arn(name) };
  }

  /** Describes a bus. */
  async describe(name: string): Promise<EventBusDescription> {
    return this.#describe(await this.get(name));
  }

  /**
   * Replaces a bus's description, dead-letter queue and KMS key id (each omitted one is cleared,
   * as PutRule clears a rule's); tags and policy stay.
   */
  async update(nameOrArn: string, options: UpdateEventBusOptions): Promise<EventBusDescription> {
    const description = checkDescription(
      options.description || undefined,
      this.#deps.options.limits.maxDescriptionLength,
    );
    return this.#describe(
      await this.edit(nameOrArn, (b) => ({
        ...b,
        description,
        deadLetterArn: options.deadLetterConfig?.arn ?? null,
        kmsKeyIdentifier: options.kmsKeyIdentifier || null,
      })),
    );
  }

  /** PutPermission: adds (or replaces, by statement id) a statement of the bus's policy, or replaces the whole policy (`policy` text). */
  async putPermission(
    nameOrArn: string,
    grant: PermissionGrant | { policy: string },
  ): Promise<void> {
    const text = 'policy' in grant ? checkPolicyText(grant.policy) : null;
    const arn = this.arn((await this.get(nameOrArn)).name);
    await this.edit(nameOrArn, (b) => ({
      ...b,
      policy: text ?? grantPermission(b.policy, arn, grant as PermissionGrant),
    }));
  }

  /** RemovePermission: removes one statement (`ResourceNotFoundException` when absent), or the whole policy with `all`. */
  async removePermission(
    nameOrArn: string,
    which: { statementId: string } | { all: true },
  ): Promise<void> {
    await this.edit(nameOrArn, (b) => ({
      ...b,
      policy: 'all' in which ? null : revokePermission(b.policy, which.statementId),
    }));
  }

  /** Rewrites a bus from its stored record in one store transaction (see `BusEdit`); `ResourceNotFoundException` when absent. */
  async edit(nameOrArn: string, edit: BusEdit): Promise<BusRecord> {
    const bus = await this.get(nameOrArn);
    this.#cache.delete(bus.name);
    const edited = await this.#deps.store.bus.editBus(bus.id, edit);
    if (!edited)
      throw new BallastError('ResourceNotFoundException', `Event bus ${bus.name} does not exist.`);
    return edited;
  }

  /** Lists buses by name prefix. */
  async list(
    options: { namePrefix?: string } & PageOptions,
  ): Promise<{ eventBuses: EventBusDescription[]; nextToken?: string }> {
    await this.ready();
    const limit = pageLimit(options.limit);
    const rows = await this.#deps.store.bus.listBuses(
      options.namePrefix ?? '',
      fromToken(options.nextToken),
      limit + 1,
    );
    return page(
      rows.map((b) => this.#describe(b)),
      limit,
      'eventBuses',
      (b) => b.name,
    );
  }

  /** Deletes a bus with no rules left (the default bus cannot be deleted). Deleting a missing bus succeeds. */
  async delete(name: string): Promise<void> {
    await this.ready();
    if (name === DEFAULT_BUS)
      throw new BallastError('ValidationException', 'Cannot delete event bus default.');
    const bus = await this.#deps.store.bus.getBus(name);
    if (!bus) return;
    this.#cache.delete(name);
    const r = await this.#deps.store.bus.deleteBus(bus.id);
    if (r === 'hasRules')
      throw new BallastError(
        'ValidationException',
        `Cannot delete event bus ${name} while it has rules.`,
      );
  }

  /** The bus of a name or ARN, from a 1 s cache (publishers name a bus on every entry); `ResourceNotFoundException` when absent. */
  async get(nameOrArn: string): Promise<BusRecord> {
    const prefix = `arn:aws:events:${this.#deps.options.region}:${this.#deps.options.accountId}:event-bus/`;
    const name = nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : nameOrArn;
    const now = this.#deps.options.clock.now();
    const hit = this.#cache.get(name);
    if (hit && hit.until > now) return hit.bus;
    await this.ready();
    const bus = await this.#deps.store.bus.getBus(name);
    if (!bus) {
      this.#cache.delete(name);
      throw new BallastError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    }
    this.#cache.set(name, { bus, until: now + BUS_CACHE_MS });
    return bus;
  }

  #describe(b: BusRecord): EventBusDescription {
    return {
      name: b.name,
      arn: this.arn(b.name),
      ...(b.description !== null ? { description: b.description } : {}),
      ...(b.deadLetterArn !== null ? { deadLetterConfig: { arn: b.deadLetterArn } } : {}),
      ...(b.kmsKeyIdentifier !== null ? { kmsKeyIdentifier: b.kmsKeyIdentifier } : {}),
      ...(b.policy !== null ? { policy: b.policy } : {}),
      creationTime: b.createdAt,
      lastModifiedTime: b.modifiedAt,
    };
  }
}
