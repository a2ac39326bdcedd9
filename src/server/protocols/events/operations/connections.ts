import type {
  AuthorizationType,
  ConnectionAuth,
  ConnectionStatus,
} from '../../../../bus/connections.js';
import { BallastError } from '../../../../core/errors.js';
import { compact } from '../../aws/output.js';
import { optObject, optString, reqString } from '../../aws/input.js';
import { authFromWire, authToWire, refuseConnectionMembers } from '../connections.js';
import type { EventsOperation } from '../context.js';
import { pageFromWire, reqObject, seconds } from '../wire.js';

/** Connections: CreateConnection, DescribeConnection, ListConnections, UpdateConnection, DeleteConnection. */

/** EventBridge's connection states, the values ListConnections' filter takes. */
const STATES = [
  'CREATING',
  'UPDATING',
  'DELETING',
  'AUTHORIZED',
  'DEAUTHORIZED',
  'AUTHORIZING',
  'DEAUTHORIZING',
  'ACTIVE',
  'FAILED_CONNECTIVITY',
];

/** A connection's ARN, state and times: what Create, Update and Delete answer, and part of the rest. */
const statusToWire = (
  s: ConnectionStatus,
  state: string = s.connectionState,
): Record<string, unknown> => ({
  ConnectionArn: s.connectionArn,
  ConnectionState: state,
  CreationTime: seconds(s.creationTime),
  LastModifiedTime: seconds(s.lastModifiedTime),
});

const createConnection: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'Name');
  refuseConnectionMembers(input);
  const created = await ctx.ballast.bus.connections.create(name, {
    ...compact({ description: optString(input, 'Description') }),
    // Any other text is the library's ValidationException, as are parameters a type lacks.
    authorizationType: reqString(input, 'AuthorizationType') as AuthorizationType,
    authParameters: authFromWire(reqObject(input, 'AuthParameters')) as ConnectionAuth,
  });
  return statusToWire(created);
};

const describeConnection: EventsOperation = async (input, ctx) => {
  const c = await ctx.ballast.bus.connections.describe(reqString(input, 'Name'));
  return compact({
    ...statusToWire(c),
    Name: c.name,
    Description: c.description,
    AuthorizationType: c.authorizationType,
    AuthParameters: authToWire(c.authParameters),
  });
};

const listConnections: EventsOperation = async (input, ctx) => {
  const state = optString(input, 'ConnectionState');
  if (state !== undefined && !STATES.includes(state))
    throw new BallastError(
      'ValidationException',
      `ConnectionState must be one of ${STATES.join(', ')}.`,
    );
  const page = await ctx.ballast.bus.connections.list(
    compact({ namePrefix: optString(input, 'NamePrefix'), ...pageFromWire(input) }),
  );
  // Every Ballast connection is AUTHORIZED: any other state lists none.
  if (state !== undefined && state !== 'AUTHORIZED') return { Connections: [] };
  return compact({
    Connections: page.connections.map((c) => ({
      ...statusToWire(c),
      Name: c.name,
      AuthorizationType: c.authorizationType,
    })),
    NextToken: page.nextToken,
  });
};

const updateConnection: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'Name');
  refuseConnectionMembers(input);
  const auth = optObject(input, 'AuthParameters');
  const updated = await ctx.ballast.bus.connections.update(
    name,
    compact({
      description: optString(input, 'Description'),
      authorizationType: optString(input, 'AuthorizationType') as AuthorizationType | undefined,
      authParameters: auth && authFromWire(auth),
    }),
  );
  return statusToWire(updated);
};

const deleteConnection: EventsOperation = async (input, ctx) => {
  const name = reqString(input, 'Name');
  const c = await ctx.ballast.bus.connections.describe(name);
  await ctx.ballast.bus.connections.delete(name);
  // EventBridge answers DELETING while it removes the secret; here the connection is already gone.
  return statusToWire(c, 'DELETING');
};

/** Operations of this group by name. */
export const CONNECTION_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  CreateConnection: createConnection,
  DescribeConnection: describeConnection,
  ListConnections: listConnections,
  UpdateConnection: updateConnection,
  DeleteConnection: deleteConnection,
};
