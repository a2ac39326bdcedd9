import type { ReplayDescription } from '../../../../bus/replays.js';
import { BallastError } from '../../../../core/errors.js';
import type { ReplayState } from '../../../../store/bus-contract.js';
import { compact } from '../../aws/output.js';
import { optObject, optString, optStringList, reqString } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { pageFromWire, reqTime, seconds } from '../wire.js';

/** Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay. */

const STATES: readonly ReplayState[] = [
  'STARTING',
  'RUNNING',
  'CANCELLING',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
];

/** A library replay → the wire `Replay` (ListReplays) members. */
const replayToWire = (r: ReplayDescription): Record<string, unknown> =>
  compact({
    ReplayName: r.replayName,
    EventSourceArn: r.eventSourceArn,
    State: r.state,
    StateReason: r.stateReason,
    EventStartTime: seconds(r.eventStartTime),
    EventEndTime: seconds(r.eventEndTime),
    EventLastReplayedTime: seconds(r.eventLastReplayedTime),
    ReplayStartTime: seconds(r.replayStartTime),
    ReplayEndTime: seconds(r.replayEndTime),
  });

const startReplay: EventsOperation = async (input, ctx) => {
  const destination = optObject(input, 'Destination');
  if (destination === undefined)
    throw new BallastError(
      'MissingParameter',
      'The request must contain the parameter Destination.',
    );
  const started = await ctx.ballast.bus.replays.start({
    replayName: reqString(input, 'ReplayName'),
    eventSourceArn: reqString(input, 'EventSourceArn'),
    eventStartTime: reqTime(input, 'EventStartTime'),
    eventEndTime: reqTime(input, 'EventEndTime'),
    destination: compact({
      arn: reqString(destination, 'Arn', 'Destination.Arn'),
      filterArns: optStringList(destination, 'FilterArns', 'Destination.FilterArns'),
    }),
    ...compact({ description: optString(input, 'Description') }),
  });
  return {
    ReplayArn: started.replayArn,
    State: started.state,
    ReplayStartTime: seconds(started.replayStartTime),
  };
};

const describeReplay: EventsOperation = async (input, ctx) => {
  const r = await ctx.ballast.bus.replays.describe(reqString(input, 'ReplayName'));
  const destination = compact({ Arn: r.destination.arn, FilterArns: r.destination.filterArns });
  return compact({
    ...replayToWire(r),
    ReplayArn: r.replayArn,
    Description: r.description,
    Destination: destination,
  });
};

const listReplays: EventsOperation = async (input, ctx) => {
  const state = optString(input, 'State');
  if (state !== undefined && !STATES.includes(state as ReplayState)) {
    throw new BallastError('ValidationException', `State must be one of ${STATES.join(', ')}.`);
  }
  const page = await ctx.ballast.bus.replays.list(
    compact({
      namePrefix: optString(input, 'NamePrefix'),
      state: state as ReplayState | undefined,
      eventSourceArn: optString(input, 'EventSourceArn'),
      ...pageFromWire(input),
    }),
  );
  return compact({ Replays: page.replays.map(replayToWire), NextToken: page.nextToken });
};

const cancelReplay: EventsOperation = async (input, ctx) => {
  const cancelled = await ctx.ballast.bus.replays.cancel(reqString(input, 'ReplayName'));
  return { ReplayArn: cancelled.replayArn, State: cancelled.state };
};

/** Operations of this group by name. */
export const REPLAY_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  StartReplay: startReplay,
  DescribeReplay: describeReplay,
  ListReplays: listReplays,
  CancelReplay: cancelReplay,
};
