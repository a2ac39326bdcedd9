import { BallastError } from '../../../core/errors.js';

/** `<origin>/<accountId>/<queueName>`: the QueueUrl clients use to address a queue. */
export function buildQueueUrl(origin: string, accountId: string, name: string): string {
  return `${origin.replace(/\/+$/, '')}/${accountId}/${name}`;
}

/**
 * The queue name addressed by a QueueUrl from a request body. Any origin is accepted (clients
 * reach the server by many names); only the path `/<accountId>/<queueName>` matters. A path-only
 * URL (`/000000000000/orders`) is accepted too. Malformed → `InvalidAddress`; another account →
 * `QueueDoesNotExist`.
 */
export function queueNameFromUrl(queueUrl: string, accountId: string): string {
  const invalid = (): BallastError =>
    new BallastError('InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
  let path: string;
  if (queueUrl.startsWith('/')) {
    path = queueUrl.split(/[?#]/, 1)[0]!;
  } else {
    try {
      const url = new URL(queueUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid();
      path = url.pathname;
    } catch {
      throw invalid();
    }
  }
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length !== 2) throw invalid();
  let account: string;
  let name: string;
  try {
    account = decodeURIComponent(parts[0]!);
    name = decodeURIComponent(parts[1]!);
  } catch {
    throw invalid();
  }
  if (account !== accountId || name === '') {
    throw new BallastError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
  }
  return name;
}

/** The origin (`http://host:port`) for QueueUrls of a bound socket address. */
export function originOf(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
