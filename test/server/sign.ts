import { createHash, createHmac } from 'node:crypto';

/*
 * A deliberately small SigV4 signer for tests that need requests the AWS SDK would never send:
 * a chosen subset of signed headers, or a declared payload hash (UNSIGNED-PAYLOAD). Written
 * apart from src/server/protocols/aws/sigv4.ts so the two check each other.
 */

const hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const mac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** What to sign. `headers` are lower-case and include `host`; `signed` picks which ones the signature covers. */
export interface TestSigning {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: string;
  key: { accessKeyId: string; secretAccessKey: string };
  service: string;
  /** Header names the signature covers (besides `x-amz-date`). @defaultValue every header given */
  signed?: string[];
  /** The payload hash put in the canonical request. @defaultValue sha256 of `body` */
  payloadHash?: string;
  now?: Date;
}

/** `headers` plus `x-amz-date` and `authorization`, ready for `fetch` (which sets `host` itself, so it is removed). */
export function signForTest(s: TestSigning): Record<string, string> {
  const now = s.now ?? new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...s.headers, 'x-amz-date': amzDate };
  const names = [...new Set([...(s.signed ?? Object.keys(s.headers)), 'x-amz-date'])].sort();
  const url = new URL(s.url);
  const canonical = [
    s.method ?? 'POST',
    url.pathname || '/',
    url.search.slice(1),
    ...names.map((n) => `${n}:${(headers[n] ?? '').trim()}`),
    '',
    names.join(';'),
    s.payloadHash ?? hex(s.body),
  ].join('\n');
  const scope = `${day}/us-east-1/${s.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
  let key = mac(`AWS4${s.key.secretAccessKey}`, day);
  for (const part of ['us-east-1', s.service, 'aws4_request']) key = mac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${s.key.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  delete headers.host;
  return headers;
}
