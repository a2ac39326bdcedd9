import type { EventBusDescription } from '../../../../bus/types.js';
import { compact } from '../../aws/output.js';
import { optObject, optString, reqString } from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { optDeadLetterConfig, optTags, pageFromWire, refuseMember, seconds } from '../wire.js';

/** Event buses: CreateEventBus, DescribeEventBus, UpdateEventBus, ListEventBuses, DeleteEventBus. */

/** A library bus → the wire `EventBus` (ListEventBuses) members. */
const busToWire = (b: EventBusDescription): Record<string, unknown> =>
  compact({
    Name: b.name,
    Arn: b.arn,
    Description: b.description,
    CreationTime: seconds(b.creationTime),
    LastModifiedTime: seconds(b.lastModifiedTime),
  });

const createEventBus: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'Name');
  refuseMember(input, 'EventSourceName', 'Ballast has no partner event sources.');
  // Accepted without effect: Ballast's answer to "why didn't my rule fire" is `bus.trace(eventId)`.
  optObject(input, 'LogConfig');
  const description = optString(input, 'Description');
  const deadLetterConfig = optDeadLetterConfig(input);
  // Kept and shown, never used: Ballast does not encrypt events.
  const kmsKeyIdentifier = optString(input, 'KmsKeyIdentifier');
  const { eventBusArn } = await ctx.ballast.bus.createEventBus(
    name,
    compact({ description, deadLetterConfig, tags: optTags(input), kmsKeyIdentifier }),
  );
  return compact({
    EventBusArn: eventBusArn,
    Description: description,
    KmsKeyIdentifier: kmsKeyIdentifier || undefined,
    DeadLetterConfig: deadLetterConfig && { Arn: deadLetterConfig.arn },
  });
};

/** The members DescribeEventBus and UpdateEventBus answer with besides the ListEventBuses ones. */
const busDetails = (bus: EventBusDescription): Record<string, unknown> =>
  compact({
    KmsKeyIdentifier: bus.kmsKeyIdentifier,
    DeadLetterConfig: bus.deadLetterConfig && { Arn: bus.deadLetterConfig.arn },
  });

const updateEventBus: EventsOperation = async (input, ctx) => {
  optObject(input, 'LogConfig');
  const bus = await ctx.ballast.bus.updateEventBus(
    optString(input, 'Name'),
    compact({
      description: optString(input, 'Description'),
      deadLetterConfig: optDeadLetterConfig(input),
      kmsKeyIdentifier: optString(input, 'KmsKeyIdentifier'),
    }),
  );
  return compact({
    Arn: bus.arn,
    Name: bus.name,
    Description: bus.description,
    ...busDetails(bus),
  });
};

const describeEventBus: EventsOperation = async (input, ctx) => {
  const bus = await ctx.ballast.bus.describeEventBus(optString(input, 'Name'));
  return compact({ ...busToWire(bus), ...busDetails(bus), Policy: bus.policy });
};

const listEventBuses: EventsOperation = async (input, ctx) => {
  const page = await ctx.ballast.bus.listEventBuses(
    compact({ namePrefix: optString(input, 'NamePrefix'), ...pageFromWire(input) }),
  );
  return compact({ EventBuses: page.eventBuses.map(busToWire), NextToken: page.nextToken });
};

const deleteEventBus: EventsOperation = async (input, ctx) => {
  await ctx.ballast.bus.deleteEventBus(reqString(input, 'Name'));
  return {};
};

/** Operations of this group by name. */
export const BUS_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  CreateEventBus: createEventBus,
  DescribeEventBus: describeEventBus,
  UpdateEventBus: updateEventBus,
  ListEventBuses: listEventBuses,
  DeleteEventBus: deleteEventBus,
};
