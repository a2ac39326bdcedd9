import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BallastError } from '../../../core/errors.js';
import type { ServerCredentials } from '../../options.js';

/** The parts of a request a SigV4 signature covers. */
export interface SignedRequest {
  method: string;
  /** The request URL as received (path and query still percent-encoded). */
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** What to check a signature against. */
export interface SigV4Policy {
  credentials: readonly ServerCredentials[];
  /**
   * Signing name that must appear in the credential scope; `null` accepts any (the operator
   * routes such as `/metrics`, which no AWS service owns). @defaultValue 'sqs'
   */
  service?: string | null;
  /** Allowed clock difference, seconds. */
  maxClockSkewSeconds: number;
  /** Server time, epoch ms. */
  now: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding as SigV4 uses it (encodeURIComponent plus `!'()*`). */
const escape = (s: string): string =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
const incomplete = (message: string): BallastError =>
  new BallastError('IncompleteSignature', message);
const mismatch = (message: string): BallastError =>
  new BallastError('SignatureDoesNotMatch', message);
/** `20150830T123600Z` for an epoch-ms instant. */
const amzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Canonical URI of a non-S3 service: dot segments resolved, each segment encoded once more. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escape(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [escape(k), escape(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function parseAmzDate(raw: string | null): number {
  const m = raw === null ? null : AMZ_DATE.exec(raw);
  if (!m) throw incomplete('The request must carry a valid X-Amz-Date header (YYYYMMDDTHHMMSSZ).');
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
}

/**
 * The headers a signature must cover, as AWS requires: `host` always; `x-amz-target` (it names
 * the operation) and `content-type` (it picks the protocol) whenever the request carries them.
 * Without them a captured request could be replayed as another operation.
 */
function requireSigned(signed: readonly string[], headers: Headers): void {
  const covered = new Set(signed.map((h) => h.toLowerCase()));
  for (const name of ['host', 'x-amz-target', 'content-type']) {
    if (name !== 'host' && !headers.has(name)) continue;
    if (!covered.has(name))
      throw mismatch(`'${name}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
}

/**
 * The payload hash of the canonical request: always the SHA-256 of the body received. A declared
 * `X-Amz-Content-Sha256` must equal it; `UNSIGNED-PAYLOAD` (and S3's streaming forms) are refused,
 * since a signature that does not cover the body lets anyone who captured it send another body.
 */
function payloadHash(headers: Headers, body: Uint8Array): string {
  const actual = sha256(body);
  const declared = headers.get('x-amz-content-sha256');
  if (declared === null || declared === actual) return actual;
  if (declared === 'UNSIGNED-PAYLOAD' || declared.startsWith('STREAMING-')) {
    throw mismatch(
      `X-Amz-Content-Sha256 ${declared} is not accepted: the signature must cover the request body.`,
    );
  }
  throw mismatch(
    'The provided X-Amz-Content-Sha256 header does not match the SHA-256 of the request body.',
  );
}

/**
 * Verifies an `Authorization: AWS4-HMAC-SHA256 …` header: scope (any region, the given service),
 * the ±`maxClockSkewSeconds` replay window, access key, the headers that must be signed, the
 * payload hash, and the signature over the canonical request. Throws, with AWS's codes:
 * `MissingAuthenticationToken` (no Authorization header), `IncompleteSignature` (a malformed one,
 * or no valid X-Amz-Date), `InvalidClientTokenId` (unknown access key), `SignatureDoesNotMatch`
 * (wrong scope, outside the window, a required header unsigned, a payload hash that is not the
 * body's, or a bad signature).
 */
export function verifySigV4(
  req: SignedRequest,
  policy: SigV4Policy,
): { accessKeyId: string; region: string } {
  const auth = req.headers.get('authorization');
  if (auth === null)
    throw new BallastError(
      'MissingAuthenticationToken',
      'Request is missing Authentication Token: sign it with AWS Signature Version 4.',
    );
  const m = AUTH.exec(auth.trim());
  if (!m)
    throw incomplete(
      `The Authorization header is not a valid ${ALGORITHM} signature (Credential=…, SignedHeaders=…, Signature=…).`,
    );
  const [, credential, signedHeaderList, signature] = m as unknown as [
    string,
    string,
    string,
    string,
  ];
  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') {
    throw incomplete(
      'The Credential in the Authorization header is malformed (<key>/<date>/<region>/<service>/aws4_request).',
    );
  }
  const [accessKeyId, date, region, service] = scopeParts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = policy.service === undefined ? 'sqs' : policy.service;
  if (expected !== null && service !== expected)
    throw mismatch(`Credential should be scoped to correct service: '${expected}'.`);

  const amzDateRaw = req.headers.get('x-amz-date');
  const signedAt = parseAmzDate(amzDateRaw);
  if (!amzDateRaw!.startsWith(date))
    throw mismatch('Credential should be scoped to a valid date matching X-Amz-Date.');
  // The replay window: a captured request is worthless after this long. SignatureDoesNotMatch is
  // also what the AWS SDKs read as clock skew, so they correct their offset and retry.
  const window = policy.maxClockSkewSeconds * 1000;
  if (policy.now - signedAt > window) {
    throw mismatch(
      `Signature expired: ${amzDateRaw} is now earlier than ${amzDate(policy.now - window)} (${amzDate(policy.now)} - ${policy.maxClockSkewSeconds} s).`,
    );
  }
  if (signedAt - policy.now > window) {
    throw mismatch(
      `Signature not yet current: ${amzDateRaw} is still later than ${amzDate(policy.now + window)} (${amzDate(policy.now)} + ${policy.maxClockSkewSeconds} s).`,
    );
  }

  const key = policy.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!key)
    throw new BallastError(
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );

  const signedHeaders = signedHeaderList.split(';');
  requireSigned(signedHeaders, req.headers);
  const url = new URL(req.url);
  const canonicalHeaders = signedHeaders
    .map((h) => `${h}:${(req.headers.get(h) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaderList,
    payloadHash(req.headers, req.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDateRaw, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), region), service),
    'aws4_request',
  );
  const actual = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(actual, Buffer.from(signature, 'hex'))) {
    throw mismatch(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { accessKeyId, region };
}
