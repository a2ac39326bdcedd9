import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BallastError } from '../../core/errors.js';
import type { ServerCredentials } from '../options.js';

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
  /** Signing name that must appear in the credential scope. @defaultValue 'sqs' */
  service?: string;
  /** Allowed clock difference, seconds. */
  maxClockSkewSeconds: number;
  /** Server time, epoch ms. */
  now: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding as SigV4 uses it (encodeURIComponent plus `!'()*`). */
const escape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const denied = (message: string): BallastError => new BallastError('AccessDenied', message);

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
  if (!m) throw new BallastError('InvalidSecurity', 'The request must carry a valid X-Amz-Date header (YYYYMMDDTHHMMSSZ).');
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Verifies an `Authorization: AWS4-HMAC-SHA256 …` header: scope (any region, the given service),
 * clock skew, access key, and the signature over the canonical request. Throws `InvalidSecurity`
 * for an unsigned or malformed request and `AccessDenied` for an unknown key or a bad signature.
 */
export function verifySigV4(req: SignedRequest, policy: SigV4Policy): { accessKeyId: string; region: string } {
  const auth = req.headers.get('authorization');
  if (auth === null) throw new BallastError('InvalidSecurity', 'The request must be signed with AWS Signature Version 4 (Authorization header missing).');
  const m = AUTH.exec(auth.trim());
  if (!m) throw new BallastError('InvalidSecurity', `The Authorization header is not a valid ${ALGORITHM} signature.`);
  const [, credential, signedHeaderList, signature] = m as unknown as [string, string, string, string];
  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') {
    throw new BallastError('InvalidSecurity', 'The Credential in the Authorization header is malformed.');
  }
  const [accessKeyId, date, region, service] = scopeParts as [string, string, string, string, string];
  const expected = policy.service ?? 'sqs';
  if (service !== expected) throw denied(`Credential should be scoped to correct service: '${expected}'.`);

  const amzDateRaw = req.headers.get('x-amz-date');
  const signedAt = parseAmzDate(amzDateRaw);
  if (!amzDateRaw!.startsWith(date)) throw denied('Credential should be scoped to a valid date matching X-Amz-Date.');
  if (Math.abs(policy.now - signedAt) > policy.maxClockSkewSeconds * 1000) {
    throw denied(`Signature expired or not yet valid: ${amzDateRaw} is more than ${policy.maxClockSkewSeconds} s from the server time.`);
  }

  const key = policy.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!key) throw denied('The security token included in the request is invalid (unknown access key id).');

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) throw denied('The host header must be signed.');
  const url = new URL(req.url);
  const canonicalHeaders = signedHeaders
    .map((h) => `${h}:${(req.headers.get(h) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const declared = req.headers.get('x-amz-content-sha256');
  const payloadHash = declared === 'UNSIGNED-PAYLOAD' ? declared : sha256(req.body);
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDateRaw, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), region), service), 'aws4_request');
  const actual = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(actual, Buffer.from(signature, 'hex'))) {
    throw denied('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  return { accessKeyId, region };
}
