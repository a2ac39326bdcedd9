import { createHash, createHmac } from 'node:crypto';

/** An access key to sign requests with (the server's `BALLAST_ACCESS_KEYS`). */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const mac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The headers that sign one AWS JSON `POST` with Signature Version 4 (`Authorization`,
 * `X-Amz-Date`); `headers` must hold every header to sign, lower-case, `host` included.
 */
export function signatureHeaders(
  request: { url: URL; headers: Readonly<Record<string, string>>; body: string },
  key: AccessKey,
  scope: { region: string; service: string; now: Date },
): Record<string, string> {
  const amzDate = scope.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    request.url.pathname || '/',
    '',
    ...names.map((n) => `${n}:${(headers[n] ?? '').trim()}`),
    '',
    names.join(';'),
    hex(request.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, hex(canonical)].join('\n');
  let signingKey = mac(`AWS4${key.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, 'aws4_request'])
    signingKey = mac(signingKey, part);
  const signature = createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex');
  return {
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${credentialScope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
