import { BallastError } from '../../core/errors.js';
import { type AccessKey, signatureHeaders } from './sign.js';

/** The two AWS JSON protocols `ballast serve` speaks on `POST /`. */
const PROTOCOLS = {
  sqs: { prefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0' },
  events: { prefix: 'AWSEvents', contentType: 'application/x-amz-json-1.1' },
} as const;

/** Options of `AwsJsonClient`. */
export interface AwsJsonClientOptions {
  /** Signs every request (SigV4) when set; `ballast serve` checks signatures only when it has access keys. @defaultValue unsigned */
  credentials?: AccessKey;
  /** Region in the signature's scope. @defaultValue 'us-east-1' */
  region?: string;
  /** Longest wait for one response, ms. @defaultValue 5_000 */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

/** Error types a server answers when the request is unsigned or signed with the wrong key (older servers included). */
const AUTH_FAILURES: ReadonlySet<string> = new Set([
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'InvalidSecurity',
  'AccessDenied',
]);

/** A minimal AWS JSON 1.0/1.1 client over `fetch` (no AWS SDK at run time): one request per call, no retries. */
export class AwsJsonClient {
  readonly #base: URL;
  readonly #options: AwsJsonClientOptions;

  constructor(endpoint: string, options: AwsJsonClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new BallastError(
        'InvalidParameterValue',
        `--server must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new BallastError(
        'InvalidParameterValue',
        `--server must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`,
      );
    this.#base = url;
    this.#options = options;
  }

  /** Calls `operation` (`ListQueues`, `ListRules`…) and returns the decoded answer; any failure is an `InvalidParameterValue` naming the server. */
  async call(protocol: keyof typeof PROTOCOLS, operation: string, input: Json): Promise<Json> {
    const { prefix, contentType } = PROTOCOLS[protocol];
    const body = JSON.stringify(input);
    const headers: Record<string, string> = {
      'content-type': contentType,
      host: this.#base.host,
      'x-amz-target': `${prefix}.${operation}`,
    };
    const key = this.#options.credentials;
    if (key)
      Object.assign(
        headers,
        signatureHeaders({ url: this.#base, headers, body }, key, {
          region: this.#options.region ?? 'us-east-1',
          service: protocol,
          now: new Date(),
        }),
      );
    // fetch sets Host itself and refuses to be told.
    delete headers.host;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.#base, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
      });
      text = await res.text();
    } catch (error) {
      const cause = error as Error & { cause?: { code?: string } };
      throw this.#fail(operation, cause.cause?.code ?? cause.message, error);
    }
    let answer: Json;
    try {
      answer = text === '' ? {} : (JSON.parse(text) as Json);
    } catch (error) {
      throw this.#fail(operation, `HTTP ${res.status}, not an AWS JSON answer`, error);
    }
    if (!res.ok) {
      const type = String(answer.__type ?? `HTTP ${res.status}`)
        .split('#')
        .pop();
      const hint = AUTH_FAILURES.has(type ?? '')
        ? " (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key of the server's BALLAST_ACCESS_KEYS)"
        : '';
      throw this.#fail(
        operation,
        `${type}: ${String(answer.message ?? answer.Message ?? '')}${hint}`,
      );
    }
    return answer;
  }

  #fail(operation: string, why: string, cause?: unknown): BallastError {
    return new BallastError(
      'InvalidParameterValue',
      `cannot read the server ${this.#base.origin} (${operation}): ${why}`,
      { cause },
    );
  }
}
