import type { WireObject } from './input.js';

/**
 * The queue or bus a request names, for logs and spans: the last segment of `QueueUrl`, else
 * `QueueName`, else `EventBusName` (a name or ARN); undefined when it names none.
 */
export function resourceOf(input: WireObject): string | undefined {
  const url = input.QueueUrl;
  if (typeof url === 'string' && url !== '') return url.slice(url.lastIndexOf('/') + 1);
  for (const key of ['QueueName', 'EventBusName'] as const) {
    const v = input[key];
    if (typeof v === 'string' && v !== '') return v.slice(v.lastIndexOf('/') + 1);
  }
  return undefined;
}
