import type {
  ApiDestinationDescription,
  ApiDestinationOptions,
  ApiDestinationStatus,
} from '../../../../bus/connections.js';
import { compact } from '../../aws/output.js';
import { optInt, optString, reqString, type WireObject } from '../../aws/input.js';
import type { EventsContext, EventsOperation } from '../context.js';
import { pageFromWire, seconds } from '../wire.js';

/** API destinations: CreateApiDestination, DescribeApiDestination, ListApiDestinations, UpdateApiDestination, DeleteApiDestination. */

/** The members CreateApiDestination and UpdateApiDestination share; the library checks their values. */
const destinationOptions = (input: WireObject): Partial<ApiDestinationOptions> =>
  compact({
    description: optString(input, 'Description'),
    connectionArn: optString(input, 'ConnectionArn'),
    invocationEndpoint: optString(input, 'InvocationEndpoint'),
    httpMethod: optString(input, 'HttpMethod') as ApiDestinationOptions['httpMethod'] | undefined,
    invocationRateLimitPerSecond: optInt(input, 'InvocationRateLimitPerSecond'),
  });

/** An API destination's ARN, state and times: what Create and Update answer, and part of the rest. */
const statusToWire = (s: ApiDestinationStatus): Record<string, unknown> => ({
  ApiDestinationArn: s.apiDestinationArn,
  ApiDestinationState: s.apiDestinationState,
  CreationTime: seconds(s.creationTime),
  LastModifiedTime: seconds(s.lastModifiedTime),
});

/** A library API destination → the wire `ApiDestination` (ListApiDestinations) members. */
const destinationToWire = (d: ApiDestinationDescription): Record<string, unknown> => ({
  ...statusToWire(d),
  Name: d.name,
  ConnectionArn: d.connectionArn,
  InvocationEndpoint: d.invocationEndpoint,
  HttpMethod: d.httpMethod,
  InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond,
});

const destinations = (ctx: EventsContext) => ctx.ballast.bus.apiDestinations;

const createApiDestination: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'Name');
  for (const required of ['ConnectionArn', 'InvocationEndpoint', 'HttpMethod'])
    reqString(input, required);
  return statusToWire(
    await destinations(ctx).create(name, destinationOptions(input) as ApiDestinationOptions),
  );
};

const describeApiDestination: EventsOperation = async (input, ctx) => {
  const d = await destinations(ctx).describe(reqString(input, 'Name'));
  return compact({ ...destinationToWire(d), Description: d.description ?? undefined });
};

const listApiDestinations: EventsOperation = async (input, ctx) => {
  const page = await destinations(ctx).list(
    compact({
      namePrefix: optString(input, 'NamePrefix'),
      connectionArn: optString(input, 'ConnectionArn'),
      ...pageFromWire(input),
    }),
  );
  return compact({
    ApiDestinations: page.apiDestinations.map(destinationToWire),
    NextToken: page.nextToken,
  });
};

const updateApiDestination: EventsOperation = async (input, ctx) =>
  statusToWire(await destinations(ctx).update(reqString(input, 'Name'), destinationOptions(input)));

const deleteApiDestination: EventsOperation = async (input, ctx) => {
  await destinations(ctx).delete(reqString(input, 'Name'));
  return {};
};

/** Operations of this group by name. */
export const API_DESTINATION_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  CreateApiDestination: createApiDestination,
  DescribeApiDestination: describeApiDestination,
  ListApiDestinations: listApiDestinations,
  UpdateApiDestination: updateApiDestination,
  DeleteApiDestination: deleteApiDestination,
};
