import { BallastError, isBallastError } from '../core/errors.js';
import { DEFAULT_BUS, type OnBusDeps } from './buses.js';
import { fromToken, page, pageLimit } from './paging.js';
import type { Rules } from './rules.js';
import { validateTarget } from './targets.js';
import type { OnBus, PageOptions, TargetFailure, TargetInput } from './types.js';

/** The targets of rules: put (add or replace by id), remove, list, and the rules that target an ARN. */
export class RuleTargets {
  readonly #ctx: OnBusDeps & { readonly rules: Rules };

  /** @internal created by the bus manager. */
  constructor(ctx: OnBusDeps & { readonly rules: Rules }) {
    this.#ctx = ctx;
  }

  /** Adds or replaces targets of a rule (by id); invalid entries fail alone, up to 5 targets per rule. */
  async put(
    rule: string,
    targets: readonly TargetInput[],
    options: OnBus,
  ): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#ctx.rules.get(bus, rule);
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > 100) {
      throw new BallastError('ValidationException', 'Targets must have between 1 and 100 entries.');
    }
    const failed: TargetFailure[] = [];
    const valid = [];
    for (const t of targets) {
      try {
        valid.push(validateTarget(t, this.#ctx.options, this.#ctx.options.limits));
      } catch (error) {
        if (!isBallastError(error)) throw error;
        failed.push({
          targetId: String(t?.id),
          errorCode: error.code,
          errorMessage: error.message,
        });
      }
    }
    if (valid.length > 0) {
      const r = await this.#ctx.store.bus.putTargets(
        record.id,
        valid,
        this.#ctx.options.limits.maxTargetsPerRule,
      );
      if (r === 'absent')
        throw new BallastError(
          'ResourceNotFoundException',
          `Rule ${rule} does not exist on EventBus ${bus.name}.`,
        );
      if (r === 'limit') {
        throw new BallastError(
          'LimitExceededException',
          `The requested resource exceeds the maximum number allowed (${this.#ctx.options.limits.maxTargetsPerRule} targets per rule).`,
        );
      }
    }
    return { failedEntryCount: failed.length, failedEntries: failed };
  }

  /** Removes targets by id. */
  async remove(
    rule: string,
    ids: readonly string[],
    options: OnBus,
  ): Promise<{ failedEntryCount: number; failedEntries: TargetFailure[] }> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#ctx.rules.get(bus, rule);
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
      throw new BallastError('ValidationException', 'Ids must have between 1 and 100 entries.');
    await this.#ctx.store.bus.removeTargets(record.id, ids);
    // Removing an id that is not there is not an error in EventBridge either.
    return { failedEntryCount: 0, failedEntries: [] };
  }

  /** The targets of a rule. */
  async list(
    rule: string,
    options: OnBus & PageOptions,
  ): Promise<{ targets: TargetInput[]; nextToken?: string }> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const record = await this.#ctx.rules.get(bus, rule);
    const after = fromToken(options.nextToken);
    const all = record.targets
      .filter((t) => after === null || t.id > after)
      .map((t) => ({ id: t.id, arn: t.arn, ...(t.config as object) }) as TargetInput);
    return page(all, pageLimit(options.limit), 'targets', (t) => t.id);
  }

  /** Names of the bus's rules with a target of this ARN. */
  async ruleNamesByTarget(
    targetArn: string,
    options: OnBus & PageOptions,
  ): Promise<{ ruleNames: string[]; nextToken?: string }> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const after = fromToken(options.nextToken);
    const names = (await this.#ctx.store.bus.loadRules())
      .filter(
        (r) =>
          r.busId === bus.id &&
          r.targets.some((t) => t.arn === targetArn) &&
          (after === null || r.name > after),
      )
      .map((r) => r.name)
      .sort();
    return page(names, pageLimit(options.limit), 'ruleNames', (n) => n);
  }
}
