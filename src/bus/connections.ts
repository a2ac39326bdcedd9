import { BallastError } from '../core/errors.js';
import type { BusResource, BusResourceKind } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { description as checkDescription, resourceName } from './names.js';
import type { ArnScope } from './targets.js';

/** How a connection authorizes its calls (EventBridge's three kinds). */
export type AuthorizationType = 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';

/** One extra header or query string parameter; `describe` never shows the value of a secret one. */
export interface ConnectionParameter {
  key: string;
  value: string;
  isValueSecret?: boolean;
}

/** Extra header and query string parameters sent with every call of a connection. */
export interface InvocationParameters {
  headerParameters?: ConnectionParameter[];
  queryStringParameters?: ConnectionParameter[];
}

type OAuthParameters = {
  authorizationEndpoint: string;
  httpMethod: 'GET' | 'POST' | 'PUT';
  clientParameters: { clientID: string; clientSecret: string };
};

/** CreateConnection's auth parameters (secrets are stored, and never shown again). */
export interface ConnectionAuth {
  apiKeyAuthParameters?: { apiKeyName: string; apiKeyValue: string };
  basicAuthParameters?: { username: string; password: string };
  oAuthParameters?: OAuthParameters;
  invocationHttpParameters?: InvocationParameters;
}

/**
 * UpdateConnection's auth parameters: only what changes. Members of the connection's own type merge
 * into the stored ones (a secret not sent is kept); `invocationHttpParameters`, when sent, replace them.
 */
export interface ConnectionAuthUpdate {
  apiKeyAuthParameters?: Partial<NonNullable<ConnectionAuth['apiKeyAuthParameters']>>;
  basicAuthParameters?: Partial<NonNullable<ConnectionAuth['basicAuthParameters']>>;
  oAuthParameters?: Partial<Omit<OAuthParameters, 'clientParameters'>> & {
    clientParameters?: Partial<OAuthParameters['clientParameters']>;
  };
  invocationHttpParameters?: InvocationParameters;
}

/** A connection's auth parameters as `describe` shows them: names and endpoints, never a secret. */
export interface ConnectionAuthView {
  apiKeyAuthParameters?: { apiKeyName: string };
  basicAuthParameters?: { username: string };
  oAuthParameters?: {
    authorizationEndpoint: string;
    httpMethod: OAuthParameters['httpMethod'];
    clientParameters: { clientID: string };
  };
  invocationHttpParameters?: {
    [K in keyof InvocationParameters]: (Omit<ConnectionParameter, 'value'> & { value?: string })[];
  };
}

/** A connection's ARN, state and times (epoch ms), as create, update and list answer. */
export interface ConnectionStatus {
  connectionArn: string;
  connectionState: 'AUTHORIZED';
  creationTime: number;
  lastModifiedTime: number;
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

/** CreateApiDestination's members (UpdateApiDestination takes any of them). */
export interface ApiDestinationOptions {
  description?: string;
  /** The ARN of an existing connection. */
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: ApiDestinationRecord['httpMethod'];
  /** @defaultValue 300 */
  invocationRateLimitPerSecond?: number;
}

/** An API destination's ARN, state and times (epoch ms), as create and update answer. */
export interface ApiDestinationStatus {
  apiDestinationArn: string;
  apiDestinationState: 'ACTIVE';
  creationTime: number;
  lastModifiedTime: number;
}

/** An API destination as describe and list show it. */
export type ApiDestinationDescription = ApiDestinationRecord &
  ApiDestinationStatus & { connectionArn: string };

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
  async create(
    name: string,
    options: {
      description?: string;
      authorizationType: AuthorizationType;
      authParameters: ConnectionAuth;
    },
  ): Promise<ConnectionStatus> {
    const record: ConnectionRecord = {
      name: resourceName(name),
      description: checkDescription(options.description, this.#limits.maxDescriptionLength),
      authorizationType: options.authorizationType,
      auth: validateAuth(options.authorizationType, options.authParameters),
    };
    if (!(await this.#store.bus.putResource('connection', name, { ...record }, 'create'))) {
      throw new BallastError(
        'ResourceAlreadyExistsException',
        `Connection ${name} already exists.`,
      );
    }
    return this.#status(await this.#get(name));
  }

  /** Describes a connection without its secrets. */
  async describe(name: string): Promise<
    ConnectionStatus & {
      name: string;
      description?: string;
      authorizationType: AuthorizationType;
      authParameters: ConnectionAuthView;
    }
  > {
    const r = await this.#get(name);
    const c = r.record as unknown as ConnectionRecord;
    return {
      name: c.name,
      ...(c.description !== null ? { description: c.description } : {}),
      authorizationType: c.authorizationType,
      ...this.#status(r),
      authParameters: redact(c.auth),
    };
  }

  /** Lists connections by name prefix. */
  async list(options: { namePrefix?: string; nextToken?: string; limit?: number } = {}): Promise<{
    connections: (ConnectionStatus & { name: string; authorizationType: AuthorizationType })[];
    nextToken?: string;
  }> {
    const { rows, nextToken } = await listPage(this.#store, 'connection', options);
    return {
      connections: rows.map((r) => ({
        name: r.name,
        authorizationType: (r.record as unknown as ConnectionRecord).authorizationType,
        ...this.#status(r),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  /**
   * Changes a connection's description, authorization type or auth parameters. Changing the type
   * needs that type's parameters in full; the invocation parameters stay unless sent.
   */
  async update(
    name: string,
    options: {
      description?: string;
      authorizationType?: AuthorizationType;
      authParameters?: ConnectionAuthUpdate;
    },
  ): Promise<ConnectionStatus> {
    const c = (await this.#get(name)).record as unknown as ConnectionRecord;
    const type = options.authorizationType ?? c.authorizationType;
    // Another type's secrets are never carried over: only the invocation parameters are.
    const base: ConnectionAuth =
      type === c.authorizationType
        ? c.auth
        : {
            ...(c.auth.invocationHttpParameters
              ? { invocationHttpParameters: c.auth.invocationHttpParameters }
              : {}),
          };
    const record: ConnectionRecord = {
      name: c.name,
      description:
        options.description === undefined
          ? c.description
          : checkDescription(options.description, this.#limits.maxDescriptionLength),
      authorizationType: type,
      auth: validateAuth(type, mergeAuth(base, options.authParameters ?? {})),
    };
    if (!(await this.#store.bus.putResource('connection', name, { ...record }, 'replace')))
      throw notFound(name);
    return this.#status(await this.#get(name));
  }

  /** Deletes a connection (refused while an API destination uses it). */
  async delete(name: string): Promise<void> {
    await this.#get(name);
    const users = (await this.#store.bus.listResources('api-destination', '', null, 1000)).filter(
      (d) => (d.record as unknown as ApiDestinationRecord).connectionName === name,
    );
    if (users.length > 0)
      throw new BallastError(
        'ValidationException',
        `Connection ${name} is used by API destination ${users[0]!.name}.`,
      );
    await this.#store.bus.deleteResource('connection', name);
  }

  /** @internal the stored connection. */
  async record(name: string): Promise<ConnectionRecord | undefined> {
    return (await this.#store.bus.getResource('connection', name))?.record as unknown as
      ConnectionRecord | undefined;
  }

  #status(r: BusResource): ConnectionStatus {
    return {
      connectionArn: this.arn(r.name),
      connectionState: 'AUTHORIZED',
      creationTime: r.createdAt,
      lastModifiedTime: r.modifiedAt,
    };
  }

  async #get(name: string): Promise<BusResource> {
    const r = await this.#store.bus.getResource('connection', name);
    if (!r) throw notFound(name);
    return r;
  }
}

const notFound = (name: string): BallastError =>
  new BallastError('ResourceNotFoundException', `Connection '${name}' does not exist.`);

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
  async create(name: string, options: ApiDestinationOptions): Promise<ApiDestinationStatus> {
    const record = await this.#validate(name, options);
    if (!(await this.#store.bus.putResource('api-destination', name, { ...record }, 'create'))) {
      throw new BallastError(
        'ResourceAlreadyExistsException',
        `An api-destination '${name}' already exists.`,
      );
    }
    return statusOf(this.#describe(await this.#get(name)));
  }

  /** Describes an API destination. */
  async describe(name: string): Promise<ApiDestinationDescription> {
    return this.#describe(await this.#get(name));
  }

  /** Lists API destinations by name prefix, optionally only those of one connection (ARN). */
  async list(
    options: {
      namePrefix?: string;
      connectionArn?: string;
      nextToken?: string;
      limit?: number;
    } = {},
  ): Promise<{ apiDestinations: ApiDestinationDescription[]; nextToken?: string }> {
    const of = options.connectionArn;
    const keep =
      of === undefined
        ? undefined
        : (r: BusResource) =>
            this.#connections.arn((r.record as unknown as ApiDestinationRecord).connectionName) ===
            of;
    const { rows, nextToken } = await listPage(this.#store, 'api-destination', options, keep);
    return {
      apiDestinations: rows.map((r) => this.#describe(r)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  /** Changes an API destination; members not given keep their values. */
  async update(
    name: string,
    options: Partial<ApiDestinationOptions>,
  ): Promise<ApiDestinationStatus> {
    const d = this.#describe(await this.#get(name));
    const { connectionArn, invocationEndpoint, httpMethod, invocationRateLimitPerSecond } = d;
    const current: ApiDestinationOptions = {
      ...(d.description !== null ? { description: d.description } : {}),
      connectionArn,
      invocationEndpoint,
      httpMethod,
      invocationRateLimitPerSecond,
    };
    const record = await this.#validate(name, { ...current, ...options });
    if (!(await this.#store.bus.putResource('api-destination', name, { ...record }, 'replace')))
      throw destinationNotFound(name);
    return statusOf(this.#describe(await this.#get(name)));
  }

  /** Deletes an API destination (its pending deliveries then fail with NO_RESOURCE). */
  async delete(name: string): Promise<void> {
    if (!(await this.#store.bus.deleteResource('api-destination', name)))
      throw destinationNotFound(name);
  }

  /** @internal the stored destination. */
  async record(name: string): Promise<ApiDestinationRecord | undefined> {
    return (await this.#store.bus.getResource('api-destination', name))?.record as unknown as
      ApiDestinationRecord | undefined;
  }

  async #get(name: string): Promise<BusResource> {
    const r = await this.#store.bus.getResource('api-destination', name);
    if (!r) throw destinationNotFound(name);
    return r;
  }

  #describe(r: BusResource): ApiDestinationDescription {
    const d = r.record as unknown as ApiDestinationRecord;
    return {
      ...d,
      apiDestinationArn: this.arn(r.name),
      connectionArn: this.#connections.arn(d.connectionName),
      apiDestinationState: 'ACTIVE',
      creationTime: r.createdAt,
      lastModifiedTime: r.modifiedAt,
    };
  }

  async #validate(name: string, o: ApiDestinationOptions): Promise<ApiDestinationRecord> {
    resourceName(name);
    const prefix = this.#connections.arn('');
    const connectionName =
      typeof o.connectionArn === 'string' && o.connectionArn.startsWith(prefix)
        ? o.connectionArn.slice(prefix.length)
        : undefined;
    if (connectionName === undefined || !(await this.#connections.record(connectionName))) {
      throw new BallastError(
        'ResourceNotFoundException',
        `Connection ${String(o.connectionArn)} does not exist.`,
      );
    }
    let url: URL;
    try {
      url = new URL(o.invocationEndpoint);
    } catch {
      throw new BallastError(
        'ValidationException',
        `InvocationEndpoint ${String(o.invocationEndpoint)} is not a URL.`,
      );
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    // EventBridge requires HTTPS; plain HTTP is allowed to this machine only (tests, sidecars).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new BallastError(
        'ValidationException',
        'InvocationEndpoint must be an https:// URL (http:// only to localhost).',
      );
    }
    if (!METHODS.has(o.httpMethod as string))
      throw new BallastError(
        'ValidationException',
        `HttpMethod must be one of ${[...METHODS].join(', ')}.`,
      );
    const rate = o.invocationRateLimitPerSecond ?? 300;
    if (!Number.isInteger(rate) || rate < 1 || rate > 300)
      throw new BallastError(
        'ValidationException',
        'InvocationRateLimitPerSecond must be from 1 to 300.',
      );
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

const destinationNotFound = (name: string): BallastError =>
  new BallastError('ResourceNotFoundException', `An api-destination '${name}' does not exist.`);

const statusOf = (d: ApiDestinationDescription): ApiDestinationStatus => ({
  apiDestinationArn: d.apiDestinationArn,
  apiDestinationState: d.apiDestinationState,
  creationTime: d.creationTime,
  lastModifiedTime: d.lastModifiedTime,
});

// Header names and values fetch can send: one it refuses would fail every delivery, so refuse it here.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;

function validateAuth(type: AuthorizationType, p: ConnectionAuth): ConnectionAuth {
  const bad = (why: string): never => {
    throw new BallastError(
      'ValidationException',
      `AuthParameters are not valid for ${String(type)}: ${why}.`,
    );
  };
  const str = (v: unknown, what: string): string =>
    typeof v === 'string' && v.length > 0 && v.length <= 512
      ? v
      : bad(`${what} must be 1–512 characters`);
  const header = (v: unknown, what: string, pattern: RegExp): string =>
    pattern.test(str(v, what)) ? (v as string) : bad(`${what} cannot be sent as an HTTP header`);
  if (typeof p !== 'object' || p === null) return bad('missing');
  const invocation = p.invocationHttpParameters;
  const common = invocation ? { invocationHttpParameters: checkParameters(invocation, bad) } : {};
  switch (type) {
    case 'API_KEY': {
      const k = p.apiKeyAuthParameters;
      return {
        apiKeyAuthParameters: {
          apiKeyName: header(k?.apiKeyName, 'ApiKeyName', HEADER_NAME),
          apiKeyValue: header(k?.apiKeyValue, 'ApiKeyValue', HEADER_VALUE),
        },
        ...common,
      };
    }
    case 'BASIC':
      return {
        basicAuthParameters: {
          username: str(p.basicAuthParameters?.username, 'Username'),
          password: str(p.basicAuthParameters?.password, 'Password'),
        },
        ...common,
      };
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const o = p.oAuthParameters ?? bad('OAuthParameters are required');
      const method = ['GET', 'POST', 'PUT'].includes(o.httpMethod)
        ? o.httpMethod
        : bad('HttpMethod must be GET, POST or PUT');
      return {
        oAuthParameters: {
          authorizationEndpoint: str(o.authorizationEndpoint, 'AuthorizationEndpoint'),
          httpMethod: method,
          clientParameters: {
            clientID: str(o.clientParameters?.clientID, 'ClientID'),
            clientSecret: str(o.clientParameters?.clientSecret, 'ClientSecret'),
          },
        },
        ...common,
      };
    }
    default:
      return bad('AuthorizationType must be API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS');
  }
}

/** At most 100 header and 100 query parameters, keys of 1–512 and values of at most 512 characters; headers sendable. */
function checkParameters(
  p: InvocationParameters,
  bad: (why: string) => never,
): InvocationParameters {
  const list = (v: unknown, what: string, isHeader: boolean): ConnectionParameter[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > 100)
      return bad(`${what} must be a list of at most 100 parameters`);
    return v.map((x: Partial<ConnectionParameter> | null, i): ConnectionParameter => {
      const { key, value, isValueSecret } = x ?? {};
      if (
        typeof key !== 'string' ||
        key.length < 1 ||
        key.length > 512 ||
        typeof value !== 'string' ||
        value.length > 512
      ) {
        return bad(`${what}[${i}] needs a key of 1–512 and a value of at most 512 characters`);
      }
      if (isHeader && !(HEADER_NAME.test(key) && HEADER_VALUE.test(value)))
        return bad(`${what}[${i}] cannot be sent as an HTTP header`);
      if (isValueSecret !== undefined && typeof isValueSecret !== 'boolean')
        return bad(`${what}[${i}].IsValueSecret must be a boolean`);
      return { key, value, ...(isValueSecret !== undefined ? { isValueSecret } : {}) };
    });
  };
  if (typeof p !== 'object' || p === null)
    return bad('InvocationHttpParameters must be a structure');
  const headerParameters = list(p.headerParameters, 'HeaderParameters', true);
  const queryStringParameters = list(p.queryStringParameters, 'QueryStringParameters', false);
  return {
    ...(headerParameters ? { headerParameters } : {}),
    ...(queryStringParameters ? { queryStringParameters } : {}),
  };
}

/** An update's auth parameters laid over the stored ones (see `ConnectionAuthUpdate`); `validateAuth` checks the result. */
function mergeAuth(base: ConnectionAuth, u: ConnectionAuthUpdate): ConnectionAuth {
  const o = u.oAuthParameters;
  return {
    ...base,
    ...(u.apiKeyAuthParameters && {
      apiKeyAuthParameters: { ...base.apiKeyAuthParameters, ...u.apiKeyAuthParameters },
    }),
    ...(u.basicAuthParameters && {
      basicAuthParameters: { ...base.basicAuthParameters, ...u.basicAuthParameters },
    }),
    ...(o && {
      oAuthParameters: {
        ...base.oAuthParameters,
        ...o,
        clientParameters: { ...base.oAuthParameters?.clientParameters, ...o.clientParameters },
      },
    }),
    ...(u.invocationHttpParameters && { invocationHttpParameters: u.invocationHttpParameters }),
  } as ConnectionAuth;
}

/** The auth parameters with every secret left out (as DescribeConnection shows them). */
function redact(a: ConnectionAuth): ConnectionAuthView {
  const o = a.oAuthParameters;
  const inv = a.invocationHttpParameters;
  return {
    ...(a.apiKeyAuthParameters
      ? { apiKeyAuthParameters: { apiKeyName: a.apiKeyAuthParameters.apiKeyName } }
      : {}),
    ...(a.basicAuthParameters
      ? { basicAuthParameters: { username: a.basicAuthParameters.username } }
      : {}),
    ...(o
      ? {
          oAuthParameters: {
            authorizationEndpoint: o.authorizationEndpoint,
            httpMethod: o.httpMethod,
            clientParameters: { clientID: o.clientParameters.clientID },
          },
        }
      : {}),
    ...(inv
      ? {
          invocationHttpParameters: {
            ...hidden('headerParameters', inv.headerParameters),
            ...hidden('queryStringParameters', inv.queryStringParameters),
          },
        }
      : {}),
  };
}

/** `{[name]: parameters}` with the values of secret ones left out; `{}` when there are none. */
function hidden<K extends keyof InvocationParameters>(
  name: K,
  ps: ConnectionParameter[] | undefined,
): Partial<NonNullable<ConnectionAuthView['invocationHttpParameters']>> {
  return ps
    ? { [name]: ps.map((p) => (p.isValueSecret ? { key: p.key, isValueSecret: true } : p)) }
    : {};
}

/** One page of a resource kind by name; with `keep`, of the matching ones only (reading on until the page is full). */
async function listPage(
  store: Store,
  kind: BusResourceKind,
  o: { namePrefix?: string; nextToken?: string; limit?: number },
  keep?: (r: BusResource) => boolean,
): Promise<{ rows: BusResource[]; nextToken?: string }> {
  const limit = o.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
  let cursor =
    o.nextToken === undefined ? null : Buffer.from(o.nextToken, 'base64url').toString('utf8');
  const rows: BusResource[] = [];
  for (let more = true; more && rows.length <= limit;) {
    const batch = await store.bus.listResources(kind, o.namePrefix ?? '', cursor, limit + 1);
    rows.push(...(keep ? batch.filter(keep) : batch));
    more = batch.length > limit;
    cursor = batch[batch.length - 1]?.name ?? cursor;
  }
  const page = rows.slice(0, limit);
  return {
    rows: page,
    ...(rows.length > limit
      ? { nextToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') }
      : {}),
  };
}
