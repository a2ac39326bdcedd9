import type { Clock } from '../core/clock.js';
import { BallastError, check, isBallastError } from '../core/errors.js';
import type { QueueLimits } from '../core/limits.js';
import type { QueueRecord, QueueStats, Store } from '../store/contract.js';
import {
  applyQueueAttributes,
  fifoFromAttributes,
  renderQueueAttributes,
  sameSettings,
} from './attributes.js';
import type { QueueContext } from './context.js';
import { QueueEvents } from './events.js';
import { MoveTasks } from './move-tasks.js';
import { Queue } from './queue.js';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from './settings.js';
import type { QueueOptions } from './types.js';
import { validateQueueName } from './validate.js';
import { addPermission, removePermission, type QueuePermission } from './permissions.js';

/** Where queue ARNs and URLs say the queues live. */
export interface QueueNaming {
  /** @defaultValue 'us-east-1' */
  region: string;
  /** 12 digits. @defaultValue '000000000000' */
  accountId: string;
}

/** Manager options. */
export interface QueuesOptions extends QueueNaming {
  clock: Clock;
  limits: QueueLimits;
  /** How long a queue's settings are cached, ms; changes made on other nodes show after this. @defaultValue 1000 */
  cacheTtlMs?: number;
  /** How long approximate counts are reused, ms (0 = count on every call). @defaultValue 1000 */
  statsTtlMs?: number;
}

/** `ballast.queues`: create, find, list, configure and delete queues; dead-letter redrive tasks. */
export class Queues {
  /** Typed events of every queue and consumer. */
  readonly events = new QueueEvents();
  /** Message move tasks (dead-letter redrive). */
  readonly moveTasks: MoveTasks;
  readonly #store: Store;
  readonly #options: QueuesOptions;
  readonly #cache = new Map<string, { record: QueueRecord; until: number }>();
  readonly #stats = new Map<number, { value: Promise<QueueStats>; until: number }>();
  readonly #ctx: QueueContext;

  /** @internal created by `openBallast`. */
  constructor(store: Store, options: QueuesOptions) {
    this.#store = store;
    this.#options = options;
    this.#ctx = {
      store,
      clock: options.clock,
      limits: options.limits,
      events: this.events,
      arn: (name) => this.arn(name),
      resolve: (name) => this.#resolve(name),
      nameFromArn: (arn) => this.nameFromArn(arn),
      invalidate: (name) => this.#cache.delete(name),
      stats: (q) => this.#statsOf(q),
    };
    this.moveTasks = new MoveTasks(this.#ctx);
  }

  /** `arn:aws:sqs:<region>:<account>:<name>`. */
  arn(name: string): string {
    return `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:${name}`;
  }

  /** The queue name in an ARN of this region and account, or undefined. */
  nameFromArn(arn: string): string | undefined {
    const prefix = `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:`;
    return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
  }

  async #resolve(name: string): Promise<QueueRecord> {
    const now = this.#options.clock.now();
    const hit = this.#cache.get(name);
    if (hit && hit.until > now) return hit.record;
    const record = await this.#store.queues.getQueue(name);
    if (!record) {
      this.#cache.delete(name);
      throw new BallastError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
    }
    this.#cache.set(name, { record, until: now + (this.#options.cacheTtlMs ?? 1000) });
    return record;
  }

  #statsOf(q: QueueRecord): Promise<QueueStats> {
    const ttl = this.#options.statsTtlMs ?? 1_000;
    if (ttl <= 0) return this.#store.queues.stats(q.id);
    const now = this.#options.clock.now();
    const hit = this.#stats.get(q.id);
    if (hit && hit.until > now) return hit.value;
    const value = this.#store.queues.stats(q.id);
    this.#stats.set(q.id, { value, until: now + ttl });
    // A failed count is not cached.
    value.catch(() => this.#stats.delete(q.id));
    return value;
  }

  /** Creates a queue, or returns the existing one when its settings match (`QueueNameExists` otherwise). */
  create(name: string, options: QueueOptions = {}): Promise<Queue> {
    return this.createWithAttributes(
      name,
      optionsToAttributes(options, (q) => this.#toArn(q)),
      options.tags ?? {},
    );
  }

  /** Creates a queue from SQS attribute strings (what CreateQueue carries). */
  async createWithAttributes(
    name: string,
    attributes: Record<string, unknown> = {},
    tags: Record<string, string> = {},
  ): Promise<Queue> {
    const limits = this.#options.limits;
    const fifo = fifoFromAttributes(attributes);
    validateQueueName(name, fifo, limits);
    validateTags(tags, limits.maxTags);
    const settings = applyQueueAttributes(
      { ...DEFAULT_QUEUE_SETTINGS, fifo },
      attributes,
      limits,
      true,
    );
    await this.#checkRedrive(name, settings);
    const result = await this.#store.queues.createQueue(
      name,
      settings,
      tags,
      limits.queueDeletedCooldown * 1000,
    );
    if (result.status === 'deletedRecently') {
      throw new BallastError(
        'QueueDeletedRecently',
        `You must wait ${limits.queueDeletedCooldown} seconds after deleting a queue before you can create another with the same name.`,
      );
    }
    if (result.status === 'exists') {
      const requested = applyQueueAttributes(result.queue.settings, attributes, limits, true);
      if (requested.fifo !== fifo || !sameSettings(requested, result.queue.settings)) {
        throw new BallastError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s).`,
        );
      }
    }
    this.#cache.delete(name);
    return new Queue(this.#ctx, name);
  }

  async #checkRedrive(name: string, settings: QueueSettings): Promise<void> {
    const policy = settings.redrivePolicy;
    if (!policy) return;
    const dlqName = this.nameFromArn(policy.deadLetterTargetArn);
    const dlq = dlqName === undefined ? undefined : await this.#store.queues.getQueue(dlqName);
    const bad = (why: string) =>
      new BallastError(
        'InvalidParameterValue',
        `Value ${JSON.stringify(policy)} for parameter RedrivePolicy is invalid. Reason: ${why}`,
      );
    if (!dlq) throw bad('Dead letter target does not exist.');
    if (dlq.name === name) throw bad('A queue cannot be its own dead-letter queue.');
    if (dlq.settings.fifo !== settings.fifo)
      throw bad('Dead-letter queue and source queue must be of the same type (standard or FIFO).');
    const allow = dlq.settings.redriveAllowPolicy;
    if (allow?.redrivePermission === 'denyAll')
      throw bad('The dead-letter queue does not allow any source queue.');
    if (
      allow?.redrivePermission === 'byQueue' &&
      !allow.sourceQueueArns?.includes(this.arn(name))
    ) {
      throw bad('The dead-letter queue does not allow this source queue.');
    }
  }

  #toArn(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn : this.arn(nameOrArn);
  }

  /** A handle on an existing queue; `QueueDoesNotExist` if there is none. */
  /** @internal the live queue's record from the short-lived cache, or undefined (bus dispatch). */
  async record(name: string): Promise<QueueRecord | undefined> {
    try {
      return await this.#resolve(name);
    } catch (error) {
      if (isBallastError(error) && error.code === 'QueueDoesNotExist') return undefined;
      throw error;
    }
  }

  async get(name: string): Promise<Queue> {
    await this.#resolve(name);
    return new Queue(this.#ctx, name);
  }

  /** Queue names by prefix, sorted, paged with an opaque `nextToken`. */
  async list(
    options: { prefix?: string; maxResults?: number; nextToken?: string } = {},
  ): Promise<{ names: string[]; nextToken?: string }> {
    const max = options.maxResults ?? 1000;
    check(
      Number.isInteger(max) && max >= 1 && max <= 1000,
      'MaxResults must be an integer between 1 and 1000.',
    );
    const after = options.nextToken === undefined ? null : decodeToken(options.nextToken);
    const rows = await this.#store.queues.listQueues(options.prefix ?? '', after, max + 1);
    const names = rows.slice(0, max).map((r) => r.name);
    const more = rows.length > max && options.maxResults !== undefined;
    return more ? { names, nextToken: encodeToken(names[names.length - 1]!) } : { names };
  }

  /** Deletes a queue and its messages; the name is reserved for 60 s. */
  async delete(name: string): Promise<void> {
    const q = await this.#resolve(name);
    await this.#store.queues.deleteQueue(q.id);
    this.#cache.delete(name);
  }

  /** SQS attribute strings of a queue (`All` or names). */
  async getAttributes(name: string, names: readonly string[]): Promise<Record<string, string>> {
    const q = await this.#resolve(name);
    const wantsCounts = names.some(
      (n) => n === 'All' || n.startsWith('ApproximateNumberOfMessages'),
    );
    const stats = wantsCounts ? await this.#statsOf(q) : null;
    return renderQueueAttributes(q, this.arn(name), stats, names);
  }

  /** Sets SQS attributes (strings); `FifoQueue` cannot change. */
  async setAttributes(name: string, attributes: Record<string, unknown>): Promise<void> {
    const q = await this.#resolve(name);
    check(
      !('FifoQueue' in attributes),
      'Invalid attribute name FifoQueue: the queue type cannot change.',
      'InvalidAttributeName',
    );
    const settings = applyQueueAttributes(q.settings, attributes, this.#options.limits, false);
    await this.#checkRedrive(name, settings);
    await this.#store.queues.updateQueue(q.id, { settings });
    this.#cache.delete(name);
  }

  /** Adds or replaces tags. */
  async tag(name: string, tags: Record<string, string>): Promise<void> {
    const q = await this.#resolve(name);
    const merged = { ...q.tags, ...tags };
    validateTags(merged, this.#options.limits.maxTags);
    await this.#store.queues.updateQueue(q.id, { tags: merged });
    this.#cache.delete(name);
  }

  /** Removes tags by key. */
  async untag(name: string, keys: readonly string[]): Promise<void> {
    const q = await this.#resolve(name);
    const tags = { ...q.tags };
    for (const k of keys) delete tags[k];
    await this.#store.queues.updateQueue(q.id, { tags });
    this.#cache.delete(name);
  }

  /**
   * AddPermission: adds a statement (Sid = `label`) to the queue's `Policy` attribute, as SQS
   * builds it. Stored and returned by `getAttributes`, never enforced.
   */
  async addPermission(name: string, grant: QueuePermission): Promise<void> {
    const q = await this.#resolve(name);
    const policy = addPermission(q.settings.policy, this.arn(name), grant);
    await this.#store.queues.updateQueue(q.id, { settings: { ...q.settings, policy } });
    this.#cache.delete(name);
  }

  /** RemovePermission: removes the statement of `label` from the queue's `Policy` (the attribute goes when none is left). */
  async removePermission(name: string, label: string): Promise<void> {
    const q = await this.#resolve(name);
    const policy = removePermission(q.settings.policy, label);
    await this.#store.queues.updateQueue(q.id, { settings: { ...q.settings, policy } });
    this.#cache.delete(name);
  }

  /** A queue's tags. */
  async tags(name: string): Promise<Record<string, string>> {
    return { ...(await this.#resolve(name)).tags };
  }

  /** Names of the queues whose RedrivePolicy points at this one. */
  async deadLetterSources(name: string): Promise<string[]> {
    await this.#resolve(name);
    const arn = this.arn(name);
    const all = await this.#store.queues.listQueues('', null, 100_000);
    return all
      .filter((q) => q.settings.redrivePolicy?.deadLetterTargetArn === arn)
      .map((q) => q.name);
  }
}

/** Converts library options into SQS attribute strings, so both paths validate alike. */
function optionsToAttributes(
  o: QueueOptions,
  toArn: (q: string) => string,
): Record<string, string> {
  const a: Record<string, string> = {};
  const set = (name: string, v: unknown): void => {
    if (v !== undefined) a[name] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  if (o.fifo) a.FifoQueue = 'true';
  set('VisibilityTimeout', o.visibilityTimeout);
  set('DelaySeconds', o.delaySeconds);
  set('MessageRetentionPeriod', o.messageRetentionPeriod);
  set('MaximumMessageSize', o.maximumMessageSize);
  set('ReceiveMessageWaitTimeSeconds', o.receiveMessageWaitTimeSeconds);
  if (o.deadLetterQueue) {
    set('RedrivePolicy', {
      deadLetterTargetArn: toArn(o.deadLetterQueue.queue),
      maxReceiveCount: o.deadLetterQueue.maxReceiveCount,
    });
  }
  set('RedriveAllowPolicy', o.redriveAllowPolicy);
  set('ContentBasedDeduplication', o.contentBasedDeduplication);
  set('DeduplicationScope', o.deduplicationScope);
  set('FifoThroughputLimit', o.fifoThroughputLimit);
  return a;
}

function validateTags(tags: Record<string, string>, max: number): void {
  const keys = Object.keys(tags);
  check(keys.length <= max, `Too many tags: a queue can have at most ${max}.`);
  for (const k of keys) {
    check(k.length >= 1 && k.length <= 128, `Tag key must be 1 to 128 characters: ${k}`);
    const v = tags[k];
    check(
      typeof v === 'string' && v.length <= 256,
      `Tag value for ${k} must be a string of at most 256 characters.`,
    );
  }
}

const encodeToken = (name: string): string => Buffer.from(name, 'utf8').toString('base64url');
function decodeToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  check(name.length > 0 && /^[A-Za-z0-9_.-]+$/.test(name), 'Invalid NextToken.');
  return name;
}
