import { compact } from '../../aws/output.js';
import { optObject, optString, reqString } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { EventsProtocolError } from '../errors.js';
import { optBool } from '../wire.js';

/** A bus's resource policy: PutPermission, RemovePermission (stored and shown by DescribeEventBus, not enforced). */

const onBus = (input: Parameters<EventsOperation>[0]) =>
  compact({ eventBusName: optString(input, 'EventBusName') });

const putPermission: EventsOperation = async (input, ctx) => {
  const policy = optString(input, 'Policy');
  if (policy !== undefined) {
    const mixed = ['StatementId', 'Action', 'Principal', 'Condition'].filter(
      (m) => input[m] !== undefined && input[m] !== null,
    );
    if (mixed.length > 0)
      throw new EventsProtocolError(
        'ValidationException',
        `Policy replaces the whole policy: send it without ${mixed.join(', ')}.`,
      );
    await ctx.ballast.bus.putPermission({ policy }, onBus(input));
    return {};
  }
  const condition = optObject(input, 'Condition');
  await ctx.ballast.bus.putPermission(
    compact({
      statementId: reqString(input, 'StatementId'),
      principal: reqString(input, 'Principal'),
      action: reqString(input, 'Action'),
      condition: condition && {
        type: reqString(condition, 'Type', 'Condition.Type'),
        key: reqString(condition, 'Key', 'Condition.Key'),
        value: reqString(condition, 'Value', 'Condition.Value'),
      },
    }),
    onBus(input),
  );
  return {};
};

const removePermission: EventsOperation = async (input, ctx) => {
  if (optBool(input, 'RemoveAllPermissions') === true) {
    await ctx.ballast.bus.removePermission({ all: true }, onBus(input));
    return {};
  }
  await ctx.ballast.bus.removePermission(
    { statementId: reqString(input, 'StatementId') },
    onBus(input),
  );
  return {};
};

/** Operations of this group by name. */
export const PERMISSION_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  PutPermission: putPermission,
  RemovePermission: removePermission,
};
