import type { RuleDescription } from '../../../../bus/types.js';
import { compact } from '../../aws/output.js';
import { optString, reqString, type WireObject } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { optBool, optTags, pageFromWire } from '../wire.js';

/** Rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule. */

/** `Name` and `EventBusName`, the address of a rule. */
const ruleAddress = (input: WireObject): [string, { eventBusName?: string }] => [
  reqString(input, 'Name'),
  compact({ eventBusName: optString(input, 'EventBusName') }),
];

/** A library rule → the wire `Rule` (ListRules) members. */
const ruleToWire = (r: RuleDescription): Record<string, unknown> =>
  compact({
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.eventBusName,
  });

const putRule: EventsOperation = async (input, ctx) => {
  const [name, onBus] = ruleAddress(input);
  const state = optString(input, 'State');
  const { ruleArn } = await ctx.ballast.bus.putRule(
    name,
    compact({
      ...onBus,
      eventPattern: optString(input, 'EventPattern'),
      scheduleExpression: optString(input, 'ScheduleExpression'),
      // Any other text is the library's ValidationException.
      state: state as 'ENABLED' | 'DISABLED' | undefined,
      description: optString(input, 'Description'),
      roleArn: optString(input, 'RoleArn'),
      // Kept for a new rule; a replaced rule keeps its tags (EventBridge ignores them then).
      tags: optTags(input),
    }),
  );
  return { RuleArn: ruleArn };
};

const describeRule: EventsOperation = async (input, ctx) => {
  const rule = await ctx.ballast.bus.describeRule(...ruleAddress(input));
  return { ...ruleToWire(rule), CreatedBy: ctx.accountId };
};

const listRules: EventsOperation = async (input, ctx) => {
  const page = await ctx.ballast.bus.listRules(
    compact({
      namePrefix: optString(input, 'NamePrefix'),
      eventBusName: optString(input, 'EventBusName'),
      ...pageFromWire(input),
    }),
  );
  return compact({ Rules: page.rules.map(ruleToWire), NextToken: page.nextToken });
};

const deleteRule: EventsOperation = async (input, ctx) => {
  // Force only matters for managed rules, which Ballast does not have.
  optBool(input, 'Force');
  await ctx.ballast.bus.deleteRule(...ruleAddress(input));
  return {};
};

const enableRule: EventsOperation = async (input, ctx) => {
  await ctx.ballast.bus.enableRule(...ruleAddress(input));
  return {};
};

const disableRule: EventsOperation = async (input, ctx) => {
  await ctx.ballast.bus.disableRule(...ruleAddress(input));
  return {};
};

/** Operations of this group by name. */
export const RULE_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  PutRule: putRule,
  DescribeRule: describeRule,
  ListRules: listRules,
  DeleteRule: deleteRule,
  EnableRule: enableRule,
  DisableRule: disableRule,
};
