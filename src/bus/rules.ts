import { BallastError } from '../core/errors.js';
import type { BusRecord, RuleRecord } from '../store/bus-contract.js';
import { DEFAULT_BUS, type OnBusDeps } from './buses.js';
import { checkPattern } from './matcher.js';
import { checkTags, description as checkDescription, ruleName as checkRuleName } from './names.js';
import { fromToken, page, pageLimit } from './paging.js';
import { ruleArn } from './runtime.js';
import { parseSchedule } from './schedule.js';
import type { OnBus, PageOptions, PutRuleOptions, RuleDescription } from './types.js';

/** Rules of the buses: put (create or replace), describe, list, delete, enable and disable. */
export class Rules {
  readonly #ctx: OnBusDeps;

  /** @internal created by the bus manager. */
  constructor(ctx: OnBusDeps) {
    this.#ctx = ctx;
  }

  /** ARN of a rule. */
  arn(name: string, eventBusName = DEFAULT_BUS): string {
    return ruleArn(this.#ctx.options, eventBusName, name);
  }

  /** Creates or replaces a rule (every omitted field is cleared, targets are kept). */
  async put(name: string, options: PutRuleOptions): Promise<{ ruleArn: string }> {
    checkRuleName(name);
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const pattern =
      options.eventPattern === undefined
        ? null
        : typeof options.eventPattern === 'string'
          ? options.eventPattern
          : JSON.stringify(options.eventPattern);
    if (pattern === null && options.scheduleExpression === undefined) {
      throw new BallastError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    if (pattern !== null) checkPattern(pattern);
    const schedule =
      options.scheduleExpression === undefined ? null : parseSchedule(options.scheduleExpression);
    if (schedule && bus.name !== DEFAULT_BUS) {
      throw new BallastError(
        'ValidationException',
        'ScheduleExpression is supported only on the default event bus.',
      );
    }
    const state = options.state ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw new BallastError(
        'ValidationException',
        `State must be ENABLED or DISABLED, not ${String(state)}.`,
      );
    if (!(await this.#ctx.store.bus.getRule(bus.id, name))) {
      const count = (
        await this.#ctx.store.bus.listRules(
          bus.id,
          '',
          null,
          this.#ctx.options.limits.maxRulesPerBus + 1,
        )
      ).length;
      if (count >= this.#ctx.options.limits.maxRulesPerBus) {
        throw new BallastError(
          'LimitExceededException',
          `The limit of ${this.#ctx.options.limits.maxRulesPerBus} rules on event bus ${bus.name} has been reached.`,
        );
      }
    }
    await this.#ctx.store.bus.putRule(bus.id, name, {
      eventPattern: pattern,
      scheduleExpression: schedule?.expression ?? null,
      // The first firing counts from now by the store's clock (the database's on PostgreSQL).
      nextFireAt: schedule ? schedule.next(await this.#ctx.store.now()) : null,
      state,
      description: checkDescription(
        options.description,
        this.#ctx.options.limits.maxDescriptionLength,
      ),
      roleArn: options.roleArn ?? null,
      tags: checkTags(options.tags ?? {}),
    });
    return { ruleArn: this.arn(name, bus.name) };
  }

  /** Describes a rule (`ResourceNotFoundException` when absent). */
  async describe(name: string, options: OnBus): Promise<RuleDescription> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    return this.#describe(bus, await this.get(bus, name));
  }

  /** Lists a bus's rules by name prefix. */
  async list(
    options: OnBus & { namePrefix?: string } & PageOptions,
  ): Promise<{ rules: RuleDescription[]; nextToken?: string }> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const limit = pageLimit(options.limit);
    const rows = await this.#ctx.store.bus.listRules(
      bus.id,
      options.namePrefix ?? '',
      fromToken(options.nextToken),
      limit + 1,
    );
    return page(
      rows.map((r) => this.#describe(bus, r)),
      limit,
      'rules',
      (r) => r.name,
    );
  }

  /** Deletes a rule that has no targets; deleting a missing rule succeeds. */
  async delete(name: string, options: OnBus): Promise<void> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const r = await this.#ctx.store.bus.deleteRule(bus.id, name);
    if (r === 'hasTargets')
      throw new BallastError('ValidationException', "Rule can't be deleted since it has targets.");
  }

  /** Enables or disables a rule; a disabled rule matches nothing until enabled again. */
  async setState(name: string, state: 'ENABLED' | 'DISABLED', options: OnBus): Promise<void> {
    const bus = await this.#ctx.buses.get(options.eventBusName ?? DEFAULT_BUS);
    const rule = await this.get(bus, name);
    // Enabling a schedule counts its next firing from now: periods missed while disabled do not fire.
    const nextFireAt =
      rule.scheduleExpression === null
        ? null
        : parseSchedule(rule.scheduleExpression).next(await this.#ctx.store.now());
    await this.#ctx.store.bus.putRule(bus.id, name, { ...rule, state, nextFireAt });
  }

  /** The stored rule of a name on a bus; `ResourceNotFoundException` when absent. */
  async get(bus: BusRecord, name: string): Promise<RuleRecord> {
    const rule = await this.#ctx.store.bus.getRule(bus.id, name);
    if (!rule)
      throw new BallastError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    return rule;
  }

  /** The id of the rule an ARN names on a bus (replays are limited to rules by ARN); `ResourceNotFoundException` when absent. */
  async idOf(bus: BusRecord, arn: string): Promise<number> {
    const prefix = `arn:aws:events:${this.#ctx.options.region}:${this.#ctx.options.accountId}:rule/${bus.name === DEFAULT_BUS ? '' : `${bus.name}/`}`;
    const rule = arn.startsWith(prefix)
      ? await this.#ctx.store.bus.getRule(bus.id, arn.slice(prefix.length))
      : undefined;
    if (!rule)
      throw new BallastError(
        'ResourceNotFoundException',
        `Rule ${arn} does not exist on EventBus ${bus.name}.`,
      );
    return rule.id;
  }

  #describe(bus: BusRecord, r: RuleRecord): RuleDescription {
    return {
      name: r.name,
      arn: this.arn(r.name, bus.name),
      eventBusName: bus.name,
      ...(r.eventPattern !== null ? { eventPattern: r.eventPattern } : {}),
      ...(r.scheduleExpression !== null ? { scheduleExpression: r.scheduleExpression } : {}),
      state: r.state,
      ...(r.description !== null ? { description: r.description } : {}),
      ...(r.roleArn !== null ? { roleArn: r.roleArn } : {}),
    };
  }
}
