import { BallastError } from '../core/errors.js';
import type { BusResource, BusResourceKind } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { description as checkDescription, resourceName } from './names.js';
import type { ArnScope } from './targets.js';

/** How a connection authorizes its calls (EventBridge's three kinds). */
export type AuthorizationType = 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';

/** Extra header, query and body parameters sent with every call of a connection. */
export interface InvocationParameters {
  headerParameters?: { key: string; value: string }[];
  queryStringParameters?: { key: string; value: string }[];
}

/** CreateConnection's auth parameters (secrets are stored, and never shown again). */
export interface ConnectionAuth {
  apiKeyAuthParameters?: { apiKeyName: string; apiKeyValue: string };
  basicAuthParameters?: { username: string; password: string };
  oAuthParameters?: {
    authorizationEndpoint: string;
    httpMethod: 'GET' | 'POST' | 'PUT';
    clientParameters: { clientID: string; clientSecret: string };
  };
  invocationHttpParameters?: InvocationParameters;
}

/** A connection as stored. */
export interface ConnectionRecord {
  name: string;
  description: string | null;
  authorizationType: AuthorizationType;
  auth: ConnectionAuth;
}

/** An API destination as stored. */
export interface ApiDestinationRecord {
  name: string;
  description: string | null;
  connectionName: string;
  /** HTTPS (or HTTP on loopback) URL; each `*` takes one of the target's path parameter values. */
  invocationEndpoint: string;
  httpMethod: 'POST' | 'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'PATCH' | 'DELETE';
  /** Calls per second, per process. */
  invocationRateLimitPerSecond: number;
}

const METHODS = new Set(['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);

/** `ballast.bus.connections`: how API destinations authenticate. Secrets are stored in the Ballast store (keep it private). */
export class Connections {
  readonly #store: Store;
  readonly #scope: ArnScope;
  readonly #limits: BusLimits;

  /** @internal */
  constructor(store: Store, scope: ArnScope, limits: BusLimits) {
    this.#store = store;
    this.#scope = scope;
    this.#limits = limits;
  }

  /** ARN of a connection. */
  arn(name: string): string {
    return `arn:aws:events:${this.#scope.region}:${this.#scope.accountId}:connection/${name}`;
  }

  /** Creates a connection (`ResourceAlreadyExistsException` when the name is taken). */
  async create(name: string, options: { description?: string; authorizationType: AuthorizationType; authParameters: ConnectionAuth }): Promise<{ connectionArn: string; connectionState: 'AUTHORIZED' }> {
    const record: ConnectionRecord = {
      name: resourceName(name),
      description: checkDescription(options.description, this.#limits.maxDescriptionLength),
      authorizationType: options.authorizationType,
      auth: validateAuth(options.authorizationType, options.authParameters),
    };
    if (!(await this.#store.bus.putResource('connection', name, { ...record }, 'create'))) {
      throw new BallastError('ResourceAlreadyExistsException', `Connection ${name} already exists.`);
    }
    return { connectionArn: this.arn(name), connectionState: 'AUTHORIZED' };
  }

  /** Describes a connection without its secrets. */
  async describe(name: string): Promise<{ name: string; connectionArn: string; description?: string; authorizationType: AuthorizationType; connectionState: 'AUTHORIZED'; creationTime: number; lastModifiedTime: number; authParameters: Record<string, unknown> }> {
    const r = await this.#get('connection', name);
    const c = r.record as unknown as ConnectionRecord;
    return {
      name: c.name,
      connectionArn: this.arn(c.name),
      ...(c.description !== null ? { description: c.description } : {}),
      authorizationType: c.authorizationType,
      connectionState: 'AUTHORIZED',
      creationTime: r.createdAt,
      lastModifiedTime: r.modifiedAt,
      authParameters: redact(c.auth),
    };
  }

  /** Lists connections by name prefix. */
  async list(options: { namePrefix?: string; nextToken?: string; limit?: number } = {}): Promise<{ connections: { name: string; connectionArn: string; authorizationType: AuthorizationType }[]; nextToken?: string }> {
    const { rows, nextToken } = await listPage(this.#store, 'connection', options);
    return {
      connections: rows.map((r) => ({ name: r.name, connectionArn: this.arn(r.name), authorizationType: (r.record as unknown as ConnectionRecord).authorizationType })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  /** Deletes a connection (refused while an API destination uses it). */
  async delete(name: string): Promise<void> {
    await this.#get('connection', name);
    const users = (await this.#store.bus.listResources('api-destination', '', null, 1000)).filter((d) => (d.record as unknown as ApiDestinationRecord).connectionName === name);
    if (users.length > 0) throw new BallastError('ValidationException', `Connection ${name} is used by API destination ${users[0]!.name}.`);
    await this.#store.bus.deleteResource('connection', name);
  }

  /** @internal the stored connection. */
  async record(name: string): Promise<ConnectionRecord | undefined> {
    return (await this.#store.bus.getResource('connection', name))?.record as unknown as ConnectionRecord | undefined;
  }

  async #get(kind: BusResourceKind, name: string): Promise<BusResource> {
    const r = await this.#store.bus.getResource(kind, name);
    if (!r) throw new BallastError('ResourceNotFoundException', `Failed to describe the connection(s). Connection '${name}' does not exist.`);
    return r;
  }
}

/** `ballast.bus.apiDestinations`: HTTP endpoints rules can target, with a connection and a rate limit. */
export class ApiDestinations {
  readonly #store: Store;
  readonly #scope: ArnScope;
  readonly #limits: BusLimits;
  readonly #connections: Connections;

  /** @internal */
  constructor(store: Store, scope: ArnScope, limits: BusLimits, connections: Connections) {
    this.#store = store;
    this.#scope = scope;
    this.#limits = limits;
    this.#connections = connections;
  }

  /** ARN of an API destination (the target ARN rules use). */
  arn(name: string): string {
    return `arn:aws:events:${this.#scope.region}:${this.#scope.accountId}:api-destination/${name}`;
  }

  /** Creates an API destination (`ResourceAlreadyExistsException` when the name is taken). */
  async create(
    name: string,
    options: { description?: string; connectionArn: string; invocationEndpoint: string; httpMethod: ApiDestinationRecord['httpMethod']; invocationRateLimitPerSecond?: number },
  ): Promise<{ apiDestinationArn: string; apiDestinationState: 'ACTIVE' }> {
    const record = await this.#validate(name, options);
    if (!(await this.#store.bus.putResource('api-destination', name, { ...record }, 'create'))) {
      throw new BallastError('ResourceAlreadyExistsException', `An api-destination '${name}' already exists.`);
    }
    return { apiDestinationArn: this.arn(name), apiDestinationState: 'ACTIVE' };
  }

  /** Describes an API destination. */
  async describe(name: string): Promise<ApiDestinationRecord & { apiDestinationArn: string; connectionArn: string; apiDestinationState: 'ACTIVE'; creationTime: number; lastModifiedTime: number }> {
    const r = await this.#store.bus.getResource('api-destination', name);
    if (!r) throw new BallastError('ResourceNotFoundException', `An api-destination '${name}' does not exist.`);
    const d = r.record as unknown as ApiDestinationRecord;
    return { ...d, apiDestinationArn: this.arn(name), connectionArn: this.#connections.arn(d.connectionName), apiDestinationState: 'ACTIVE', creationTime: r.createdAt, lastModifiedTime: r.modifiedAt };
  }

  /** Lists API destinations by name prefix. */
  async list(options: { namePrefix?: string; nextToken?: string; limit?: number } = {}): Promise<{ apiDestinations: (ApiDestinationRecord & { apiDestinationArn: string })[]; nextToken?: string }> {
    const { rows, nextToken } = await listPage(this.#store, 'api-destination', options);
    return { apiDestinations: rows.map((r) => ({ ...(r.record as unknown as ApiDestinationRecord), apiDestinationArn: this.arn(r.name) })), ...(nextToken ? { nextToken } : {}) };
  }

  /** Deletes an API destination (its pending deliveries then fail with NO_RESOURCE). */
  async delete(name: string): Promise<void> {
    if (!(await this.#store.bus.deleteResource('api-destination', name))) {
      throw new BallastError('ResourceNotFoundException', `An api-destination '${name}' does not exist.`);
    }
  }

  /** @internal the stored destination. */
  async record(name: string): Promise<ApiDestinationRecord | undefined> {
    return (await this.#store.bus.getResource('api-destination', name))?.record as unknown as ApiDestinationRecord | undefined;
  }

  async #validate(name: string, o: { description?: string; connectionArn: string; invocationEndpoint: string; httpMethod: string; invocationRateLimitPerSecond?: number }): Promise<ApiDestinationRecord> {
    resourceName(name);
    const prefix = this.#connections.arn('');
    const connectionName = typeof o.connectionArn === 'string' && o.connectionArn.startsWith(prefix) ? o.connectionArn.slice(prefix.length) : undefined;
    if (connectionName === undefined || !(await this.#connections.record(connectionName))) {
      throw new BallastError('ResourceNotFoundException', `Connection ${String(o.connectionArn)} does not exist.`);
    }
    let url: URL;
    try {
      url = new URL(o.invocationEndpoint);
    } catch {
      throw new BallastError('ValidationException', `InvocationEndpoint ${String(o.invocationEndpoint)} is not a URL.`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    // EventBridge requires HTTPS; plain HTTP is allowed to this machine only (tests, sidecars).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new BallastError('ValidationException', 'InvocationEndpoint must be an https:// URL (http:// only to localhost).');
    }
    if (!METHODS.has(o.httpMethod)) throw new BallastError('ValidationException', `HttpMethod must be one of ${[...METHODS].join(', ')}.`);
    const rate = o.invocationRateLimitPerSecond ?? 300;
    if (!Number.isInteger(rate) || rate < 1 || rate > 300) throw new BallastError('ValidationException', 'InvocationRateLimitPerSecond must be from 1 to 300.');
    return {
      name,
      description: checkDescription(o.description, this.#limits.maxDescriptionLength),
      connectionName,
      invocationEndpoint: o.invocationEndpoint,
      httpMethod: o.httpMethod as ApiDestinationRecord['httpMethod'],
      invocationRateLimitPerSecond: rate,
    };
  }
}

function validateAuth(type: AuthorizationType, p: ConnectionAuth): ConnectionAuth {
  const bad = (why: string): never => {
    throw new BallastError('ValidationException', `AuthParameters are not valid for ${String(type)}: ${why}.`);
  };
  const str = (v: unknown, what: string): string => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : bad(`${what} must be 1–512 characters`));
  if (typeof p !== 'object' || p === null) return bad('missing');
  const invocation = p.invocationHttpParameters;
  const common = invocation ? { invocationHttpParameters: invocation } : {};
  switch (type) {
    case 'API_KEY':
      return { apiKeyAuthParameters: { apiKeyName: str(p.apiKeyAuthParameters?.apiKeyName, 'ApiKeyName'), apiKeyValue: str(p.apiKeyAuthParameters?.apiKeyValue, 'ApiKeyValue') }, ...common };
    case 'BASIC':
      return { basicAuthParameters: { username: str(p.basicAuthParameters?.username, 'Username'), password: str(p.basicAuthParameters?.password, 'Password') }, ...common };
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const o = p.oAuthParameters ?? bad('OAuthParameters are required');
      const method = ['GET', 'POST', 'PUT'].includes(o.httpMethod) ? o.httpMethod : bad('HttpMethod must be GET, POST or PUT');
      return {
        oAuthParameters: {
          authorizationEndpoint: str(o.authorizationEndpoint, 'AuthorizationEndpoint'),
          httpMethod: method,
          clientParameters: { clientID: str(o.clientParameters?.clientID, 'ClientID'), clientSecret: str(o.clientParameters?.clientSecret, 'ClientSecret') },
        },
        ...common,
      };
    }
    default:
      return bad('AuthorizationType must be API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS');
  }
}

/** The auth parameters with every secret left out (as DescribeConnection shows them). */
function redact(a: ConnectionAuth): Record<string, unknown> {
  return {
    ...(a.apiKeyAuthParameters ? { apiKeyAuthParameters: { apiKeyName: a.apiKeyAuthParameters.apiKeyName } } : {}),
    ...(a.basicAuthParameters ? { basicAuthParameters: { username: a.basicAuthParameters.username } } : {}),
    ...(a.oAuthParameters
      ? { oAuthParameters: { authorizationEndpoint: a.oAuthParameters.authorizationEndpoint, httpMethod: a.oAuthParameters.httpMethod, clientParameters: { clientID: a.oAuthParameters.clientParameters.clientID } } }
      : {}),
    ...(a.invocationHttpParameters ? { invocationHttpParameters: a.invocationHttpParameters } : {}),
  };
}

async function listPage(store: Store, kind: BusResourceKind, o: { namePrefix?: string; nextToken?: string; limit?: number }): Promise<{ rows: BusResource[]; nextToken?: string }> {
  const limit = o.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
  const after = o.nextToken === undefined ? null : Buffer.from(o.nextToken, 'base64url').toString('utf8');
  const rows = await store.bus.listResources(kind, o.namePrefix ?? '', after, limit + 1);
  const page = rows.slice(0, limit);
  return { rows: page, ...(rows.length > limit ? { nextToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') } : {}) };
}
