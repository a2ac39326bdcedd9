import type { Clock } from '../core/clock.js';
import type {
  ApiDestinationRecord,
  ApiDestinations,
  ConnectionRecord,
  Connections,
} from './connections.js';
import { DeliveryError } from './invoke.js';
import type { CompiledTarget } from './targets.js';

/** Longest an API destination call may take, ms (EventBridge's 5 s). */
export const HTTP_TIMEOUT_MS = 5_000;

/** Per-destination token bucket: `rate` calls per second, bursts up to `rate`. */
class Bucket {
  #tokens: number;
  #at: number;
  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.#tokens = rate;
    this.#at = now;
  }
  /** Takes a token; returns how long to wait first, ms (0 = go now). */
  take(now: number): number {
    this.#tokens = Math.min(this.rate, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.rate) * 1000);
  }
}

/**
 * Calls API destinations: the connection's authorization, the target's path, query and header
 * parameters, the destination's rate limit (per process) and a 5 s timeout. Maps the outcome to
 * EventBridge's retry rules: 429, 5xx, timeouts and network errors are retried; other 4xx are not.
 */
export class HttpInvoker {
  readonly #destinations: ApiDestinations;
  readonly #connections: Connections;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  readonly #tokens = new Map<string, { token: Promise<string>; until: number }>();

  constructor(destinations: ApiDestinations, connections: Connections, clock: Clock) {
    this.#destinations = destinations;
    this.#connections = connections;
    this.#clock = clock;
  }

  /** Sends one delivery; resolves on 2xx, throws `DeliveryError` otherwise. */
  async invoke(
    destinationName: string,
    target: CompiledTarget,
    payload: string,
    signal: AbortSignal,
  ): Promise<void> {
    const destination = await this.#destinations.record(destinationName);
    if (!destination)
      throw new DeliveryError(
        'NO_RESOURCE',
        `The API destination ${destinationName} does not exist.`,
        false,
      );
    const connection = await this.#connections.record(destination.connectionName);
    if (!connection)
      throw new DeliveryError(
        'NO_RESOURCE',
        `The connection ${destination.connectionName} does not exist.`,
        false,
      );
    await this.#throttle(destination, signal);
    const { url, headers } = await this.#request(destination, connection, target, signal);
    const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(destination.httpMethod);
    let response: Response;
    try {
      response = await fetch(url, {
        method: destination.httpMethod,
        headers,
        ...(hasBody ? { body: payload } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]),
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new DeliveryError(
        timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        `${destination.httpMethod} ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
        true,
        { cause: error },
      );
    }
    if (response.status >= 200 && response.status < 300) return;
    const retryable = response.status === 429 || response.status >= 500;
    if (response.status === 401 && connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS')
      this.#tokens.delete(connection.name);
    throw new DeliveryError(
      response.status === 429 ? 'THROTTLING' : `HTTP_${response.status}`,
      `${destination.httpMethod} ${url.origin}${url.pathname} answered ${response.status}`,
      retryable,
    );
  }

  async #throttle(d: ApiDestinationRecord, signal: AbortSignal): Promise<void> {
    let bucket = this.#buckets.get(d.name);
    if (!bucket || bucket.rate !== d.invocationRateLimitPerSecond)
      this.#buckets.set(
        d.name,
        (bucket = new Bucket(d.invocationRateLimitPerSecond, this.#clock.now())),
      );
    const wait = bucket.take(this.#clock.now());
    if (wait > 0) await this.#clock.sleep(wait, signal);
  }

  async #request(
    d: ApiDestinationRecord,
    c: ConnectionRecord,
    t: CompiledTarget,
    signal: AbortSignal,
  ): Promise<{ url: URL; headers: Headers }> {
    const values = [...(t.http?.pathParameterValues ?? [])];
    const url = new URL(
      d.invocationEndpoint.replace(/\*/g, () => encodeURIComponent(values.shift() ?? '')),
    );
    const headers = new Headers({
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Ballast-EventBus',
    });
    for (const p of c.auth.invocationHttpParameters?.queryStringParameters ?? [])
      url.searchParams.append(p.key, p.value);
    for (const [k, v] of Object.entries(t.http?.queryStringParameters ?? {}))
      url.searchParams.append(k, v);
    for (const p of c.auth.invocationHttpParameters?.headerParameters ?? [])
      headers.set(p.key, p.value);
    for (const [k, v] of Object.entries(t.http?.headerParameters ?? {})) headers.set(k, v);
    if (c.auth.apiKeyAuthParameters)
      headers.set(c.auth.apiKeyAuthParameters.apiKeyName, c.auth.apiKeyAuthParameters.apiKeyValue);
    if (c.auth.basicAuthParameters) {
      const { username, password } = c.auth.basicAuthParameters;
      headers.set(
        'authorization',
        `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      );
    }
    if (c.auth.oAuthParameters)
      headers.set('authorization', `Bearer ${await this.#oauthToken(c, signal)}`);
    return { url, headers };
  }

  /** OAuth client-credentials token, cached until shortly before it expires; one request at a time per connection. */
  #oauthToken(c: ConnectionRecord, signal: AbortSignal): Promise<string> {
    const cached = this.#tokens.get(c.name);
    if (cached && cached.until > this.#clock.now()) return cached.token;
    // Until the answer says how long it lives, concurrent deliveries share the request in flight.
    const entry = { token: this.#fetchToken(c, signal), until: Infinity };
    this.#tokens.set(c.name, entry);
    entry.token.then(
      () => undefined,
      () => {
        if (this.#tokens.get(c.name) === entry) this.#tokens.delete(c.name);
      },
    );
    return entry.token;
  }

  async #fetchToken(c: ConnectionRecord, signal: AbortSignal): Promise<string> {
    const o = c.auth.oAuthParameters!;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const url = new URL(o.authorizationEndpoint);
    if (o.httpMethod === 'GET') for (const [k, v] of form) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method: o.httpMethod,
        headers: {
          authorization: `Basic ${Buffer.from(`${o.clientParameters.clientID}:${o.clientParameters.clientSecret}`).toString('base64')}`,
          ...(o.httpMethod === 'GET'
            ? {}
            : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(o.httpMethod === 'GET' ? {} : { body: form.toString() }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]),
      });
    } catch (error) {
      throw new DeliveryError(
        'OAUTH_ERROR',
        `token request to ${url.origin} failed: ${error instanceof Error ? error.message : String(error)}`,
        true,
        { cause: error },
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new DeliveryError(
        'OAUTH_ERROR',
        `token request to ${url.origin} answered ${response.status} without an access_token`,
        response.status === 429 || response.status >= 500,
      );
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : 300;
    const entry = this.#tokens.get(c.name);
    if (entry) entry.until = this.#clock.now() + Math.max(0, seconds - 30) * 1000;
    return body.access_token;
  }
}
