import type {
  ConnectionAuthUpdate,
  ConnectionAuthView,
  ConnectionParameter,
  InvocationParameters,
} from '../../../bus/connections.js';
import { compact } from '../aws/output.js';
import { optObject, optString, reqString, type WireObject } from '../aws/input.js';
import { optBool, optObjectList, refuseMember } from './wire.js';

/*
 * Wire ↔ library conversion of a connection's `AuthParameters` (PascalCase ↔ camelCase). Members
 * are type-checked here; which ones a type needs, and their bounds, are the library's rules.
 */

const PRIVATE = 'Ballast calls endpoints directly; it has no private connectivity (VPC Lattice).';

/** `[{Key, Value, IsValueSecret}]` → the library's parameters. */
function parametersFromWire(
  o: WireObject,
  name: string,
  label: string,
): ConnectionParameter[] | undefined {
  return optObjectList(o, name, `${label}.${name}`)?.map((p, i) => {
    const at = `${label}.${name}[${i}]`;
    return compact({
      key: reqString(p, 'Key', `${at}.Key`),
      value: reqString(p, 'Value', `${at}.Value`),
      isValueSecret: optBool(p, 'IsValueSecret', `${at}.IsValueSecret`),
    });
  });
}

/** `InvocationHttpParameters` → the library's; body parameters are refused, as delivery sends the target's input unchanged. */
function invocationFromWire(o: WireObject, label: string): InvocationParameters {
  refuseMember(o, 'BodyParameters', "Ballast sends the target's input as the body, unchanged.");
  return compact({
    headerParameters: parametersFromWire(o, 'HeaderParameters', label),
    queryStringParameters: parametersFromWire(o, 'QueryStringParameters', label),
  });
}

/** Wire `AuthParameters` (CreateConnection, UpdateConnection) → the library's, partial: the library checks what a type needs. */
export function authFromWire(o: WireObject, label = 'AuthParameters'): ConnectionAuthUpdate {
  refuseMember(o, 'ConnectivityParameters', PRIVATE);
  const apiKey = optObject(o, 'ApiKeyAuthParameters', `${label}.ApiKeyAuthParameters`);
  const basic = optObject(o, 'BasicAuthParameters', `${label}.BasicAuthParameters`);
  const oauth = optObject(o, 'OAuthParameters', `${label}.OAuthParameters`);
  const client =
    oauth && optObject(oauth, 'ClientParameters', `${label}.OAuthParameters.ClientParameters`);
  const invocation = optObject(o, 'InvocationHttpParameters', `${label}.InvocationHttpParameters`);
  if (oauth)
    refuseMember(
      oauth,
      'OAuthHttpParameters',
      "Ballast's token request carries grant_type=client_credentials and the client credentials only.",
    );
  const str = (from: WireObject, name: string, at: string) =>
    optString(from, name, `${label}.${at}.${name}`);
  return compact({
    apiKeyAuthParameters:
      apiKey &&
      compact({
        apiKeyName: str(apiKey, 'ApiKeyName', 'ApiKeyAuthParameters'),
        apiKeyValue: str(apiKey, 'ApiKeyValue', 'ApiKeyAuthParameters'),
      }),
    basicAuthParameters:
      basic &&
      compact({
        username: str(basic, 'Username', 'BasicAuthParameters'),
        password: str(basic, 'Password', 'BasicAuthParameters'),
      }),
    oAuthParameters:
      oauth &&
      compact({
        authorizationEndpoint: str(oauth, 'AuthorizationEndpoint', 'OAuthParameters'),
        // Any other text is the library's ValidationException.
        httpMethod: str(oauth, 'HttpMethod', 'OAuthParameters') as
          'GET' | 'POST' | 'PUT' | undefined,
        clientParameters:
          client &&
          compact({
            clientID: str(client, 'ClientID', 'OAuthParameters.ClientParameters'),
            clientSecret: str(client, 'ClientSecret', 'OAuthParameters.ClientParameters'),
          }),
      }),
    invocationHttpParameters:
      invocation && invocationFromWire(invocation, `${label}.InvocationHttpParameters`),
  });
}

/** Refuses the CreateConnection / UpdateConnection members Ballast cannot honour. */
export function refuseConnectionMembers(input: WireObject): void {
  refuseMember(input, 'InvocationConnectivityParameters', PRIVATE);
  refuseMember(
    input,
    'KmsKeyIdentifier',
    'Ballast keeps connection secrets in its store, not under KMS keys.',
  );
}

type ParameterView = NonNullable<
  NonNullable<ConnectionAuthView['invocationHttpParameters']>['headerParameters']
>;
const parametersToWire = (ps: ParameterView | undefined) =>
  ps?.map((p) => compact({ Key: p.key, Value: p.value, IsValueSecret: p.isValueSecret }));

/** The library's secret-free auth parameters → DescribeConnection's `AuthParameters`. */
export function authToWire(a: ConnectionAuthView): object {
  const o = a.oAuthParameters;
  const inv = a.invocationHttpParameters;
  return compact({
    ApiKeyAuthParameters: a.apiKeyAuthParameters && {
      ApiKeyName: a.apiKeyAuthParameters.apiKeyName,
    },
    BasicAuthParameters: a.basicAuthParameters && { Username: a.basicAuthParameters.username },
    OAuthParameters: o && {
      AuthorizationEndpoint: o.authorizationEndpoint,
      HttpMethod: o.httpMethod,
      ClientParameters: { ClientID: o.clientParameters.clientID },
    },
    InvocationHttpParameters:
      inv &&
      compact({
        HeaderParameters: parametersToWire(inv.headerParameters),
        QueryStringParameters: parametersToWire(inv.queryStringParameters),
      }),
  });
}
