import { BallastError } from '../core/errors.js';
import type { BusRecord, RuleRecord } from '../store/bus-contract.js';
import { DEFAULT_BUS, type OnBusDeps } from './buses.js';
import { checkTags } from './names.js';
import type { Rules } from './rules.js';

/** Tags of EventBridge resources (buses and rules), addressed by ARN: TagResource, UntagResource, ListTagsForResource. */

/** What an ARN names: a bus, or a rule on a bus. */
type Resource = { kind: 'bus'; bus: string } | { kind: 'rule'; bus: string; rule: string };

/** Tags of buses and rules by ARN. */
export class ResourceTags {
  readonly #ctx: OnBusDeps;
  readonly #rules: Rules;

  /** @internal created by the bus manager. */
  constructor(ctx: OnBusDeps, rules: Rules) {
    this.#ctx = ctx;
    this.#rules = rules;
  }

  /** Adds tags (an existing key takes the new value). */
  async tag(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    checkTags(tags);
    await this.#edit(arn, (current) => checkTags({ ...current, ...tags }));
  }

  /** Removes tags by key (absent keys are ignored). */
  async untag(arn: string, keys: readonly string[]): Promise<void> {
    await this.#edit(arn, (current) => {
      const kept = { ...current };
      for (const k of keys) delete kept[k];
      return kept;
    });
  }

  /** The tags of a bus or rule. */
  async list(arn: string): Promise<Record<string, string>> {
    const found = await this.#find(arn);
    return { ...(found.rule ?? found.bus).tags };
  }

  async #edit(
    arn: string,
    edit: (tags: Readonly<Record<string, string>>) => Record<string, string>,
  ): Promise<void> {
    const found = await this.#find(arn);
    if (found.rule) {
      if (!(await this.#ctx.store.bus.editRuleTags(found.rule.id, edit))) throw notFound(arn);
      return;
    }
    await this.#ctx.buses.edit(found.bus.name, (b) => ({ ...b, tags: edit(b.tags) }));
  }

  async #find(arn: string): Promise<{ bus: BusRecord; rule?: RuleRecord }> {
    const resource = this.#parse(arn);
    const bus = await this.#ctx.buses.get(resource.bus).catch((error: unknown) => {
      throw error instanceof BallastError && error.code === 'ResourceNotFoundException'
        ? notFound(arn)
        : error;
    });
    if (resource.kind === 'bus') return { bus };
    return { bus, rule: await this.#rules.get(bus, resource.rule) };
  }

  #parse(arn: string): Resource {
    const { region, accountId } = this.#ctx.options;
    const prefix = `arn:aws:events:${region}:${accountId}:`;
    if (!arn.startsWith(prefix)) throw notFound(arn);
    const resource = arn.slice(prefix.length);
    if (resource.startsWith('event-bus/') && resource.length > 'event-bus/'.length)
      return { kind: 'bus', bus: resource.slice('event-bus/'.length) };
    if (resource.startsWith('rule/')) {
      const path = resource.slice('rule/'.length);
      // Rule names have no `/`: the last segment is the rule, anything before it the bus.
      const cut = path.lastIndexOf('/');
      const rule = path.slice(cut + 1);
      if (rule !== '')
        return { kind: 'rule', bus: cut < 0 ? DEFAULT_BUS : path.slice(0, cut), rule };
    }
    throw notFound(arn);
  }
}

const notFound = (arn: string): BallastError =>
  new BallastError(
    'ResourceNotFoundException',
    `Resource ${arn} does not exist: tags are kept on event buses and rules of this region and account.`,
  );
