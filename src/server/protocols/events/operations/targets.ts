import type { TargetInput } from '../../../../bus/targets.js';
import type { TargetFailure } from '../../../../bus/types.js';
import { compact } from '../../aws/output.js';
import {
  optString,
  reqObjectList,
  reqString,
  reqStringList,
  type WireObject,
} from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { toEventsWireError } from '../errors.js';
import { targetFromWire, targetToWire } from '../targets.js';
import { optBool, pageFromWire } from '../wire.js';

/** Targets: PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget. */

const onBus = (input: WireObject): { eventBusName?: string } =>
  compact({ eventBusName: optString(input, 'EventBusName') });

/** `FailedEntryCount` and `FailedEntries` of PutTargets / RemoveTargets. */
const failuresToWire = (failed: readonly TargetFailure[]): object => ({
  FailedEntryCount: failed.length,
  FailedEntries: failed.map((f) => ({
    TargetId: f.targetId,
    ErrorCode: f.errorCode,
    ErrorMessage: f.errorMessage,
  })),
});

const putTargets: EventsOperation = async (input, ctx) => {
  const rule = reqString(input, 'Rule');
  const bus = onBus(input);
  const valid: TargetInput[] = [];
  const failed: TargetFailure[] = [];
  // A target the wire layer refuses fails alone, as the library's own per-target checks do.
  for (const [i, t] of reqObjectList(input, 'Targets').entries()) {
    try {
      valid.push(targetFromWire(t, `Targets[${i}]`));
    } catch (error) {
      const wire = toEventsWireError(error);
      if (wire.unexpected) throw error;
      failed.push({
        targetId: typeof t.Id === 'string' ? t.Id : '',
        errorCode: wire.code,
        errorMessage: wire.message,
      });
    }
  }
  if (valid.length === 0) {
    // Nothing for the library to check: the rule must still exist for a 200.
    await ctx.ballast.bus.describeRule(rule, bus);
    return failuresToWire(failed);
  }
  const result = await ctx.ballast.bus.putTargets(rule, valid, bus);
  return failuresToWire([...failed, ...result.failedEntries]);
};

const removeTargets: EventsOperation = async (input, ctx) => {
  const rule = reqString(input, 'Rule');
  const ids = reqStringList(input, 'Ids');
  // Force only matters for managed rules, which Ballast does not have.
  optBool(input, 'Force');
  const result = await ctx.ballast.bus.removeTargets(rule, ids, onBus(input));
  return failuresToWire(result.failedEntries);
};

const listTargetsByRule: EventsOperation = async (input, ctx) => {
  const rule = reqString(input, 'Rule');
  const page = await ctx.ballast.bus.listTargetsByRule(rule, {
    ...onBus(input),
    ...pageFromWire(input),
  });
  return compact({ Targets: page.targets.map(targetToWire), NextToken: page.nextToken });
};

const listRuleNamesByTarget: EventsOperation = async (input, ctx) => {
  const arn = reqString(input, 'TargetArn');
  const page = await ctx.ballast.bus.listRuleNamesByTarget(arn, {
    ...onBus(input),
    ...pageFromWire(input),
  });
  return compact({ RuleNames: page.ruleNames, NextToken: page.nextToken });
};

/** Operations of this group by name. */
export const TARGET_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  PutTargets: putTargets,
  RemoveTargets: removeTargets,
  ListTargetsByRule: listTargetsByRule,
  ListRuleNamesByTarget: listRuleNamesByTarget,
};
