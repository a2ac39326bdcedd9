import type { Destination } from '../types.js';
import { AwsJsonClient, type AwsJsonClientOptions } from './aws-json.js';

/** A queue as the server reports it. */
export interface LiveQueue {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly deadLetter?: { readonly queue: string; readonly maxReceiveCount: number };
}

/** A bus target as the server reports it. */
export interface LiveTarget {
  readonly id: string;
  /** `queue`, `function`, or `endpoint` (an API destination, or any other ARN). */
  readonly kind: Destination['kind'];
  /** The queue, function or destination name (the whole ARN when it is none of those). */
  readonly name: string;
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeSeconds?: number;
  readonly deadLetterQueue?: string;
}

/** A rule as the server reports it. */
export interface LiveRule {
  readonly name: string;
  readonly bus: string;
  readonly targets: readonly LiveTarget[];
}

/** What a running `ballast serve` has: its queues and its rules with their targets. */
export interface LiveTopology {
  /** The server's origin, as places name it. */
  readonly server: string;
  readonly queues: readonly LiveQueue[];
  readonly rules: readonly LiveRule[];
}

/** Options of `readServerTopology`. */
export type ReadServerOptions = AwsJsonClientOptions;

type Json = Record<string, unknown>;
// A server that keeps answering with a NextToken must not keep the doctor forever.
const MAX_PAGES = 1_000;

/**
 * Reads a running server's queues (SQS `ListQueues`, `GetQueueAttributes` All) and every bus's rules
 * and targets (EventBridge `ListEventBuses`, `ListRules`, `ListTargetsByRule`).
 */
export async function readServerTopology(
  url: string,
  options: ReadServerOptions = {},
): Promise<LiveTopology> {
  const client = new AwsJsonClient(url, options);
  const urls = await pages(client, 'sqs', 'ListQueues', { MaxResults: 1000 }, 'QueueUrls');
  const queues: LiveQueue[] = [];
  for (const queueUrl of urls.map(String)) {
    const answer = await client.call('sqs', 'GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['All'],
    });
    queues.push(queueFrom(lastPart(queueUrl, '/'), (answer.Attributes ?? {}) as Json));
  }
  const rules: LiveRule[] = [];
  for (const bus of await pages(client, 'events', 'ListEventBuses', {}, 'EventBuses')) {
    const busName = String((bus as Json).Name);
    for (const rule of await pages(
      client,
      'events',
      'ListRules',
      { EventBusName: busName },
      'Rules',
    )) {
      const name = String((rule as Json).Name);
      const targets = await pages(
        client,
        'events',
        'ListTargetsByRule',
        { Rule: name, EventBusName: busName },
        'Targets',
      );
      rules.push({ name, bus: busName, targets: targets.map((t) => targetFrom(t as Json)) });
    }
  }
  return { server: new URL(url).origin, queues, rules };
}

async function pages(
  client: AwsJsonClient,
  protocol: 'sqs' | 'events',
  operation: string,
  input: Json,
  member: string,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: unknown;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.call(
      protocol,
      operation,
      token === undefined ? input : { ...input, NextToken: token },
    );
    items.push(...((answer[member] as unknown[] | undefined) ?? []));
    token = answer.NextToken;
    if (typeof token !== 'string' || token === '') break;
  }
  return items;
}

function queueFrom(name: string, attributes: Json): LiveQueue {
  const visibilityTimeoutSeconds = Number(attributes.VisibilityTimeout ?? 30);
  const raw = attributes.RedrivePolicy;
  if (typeof raw !== 'string' || raw === '') return { name, visibilityTimeoutSeconds };
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(raw) as typeof policy;
  } catch {
    return { name, visibilityTimeoutSeconds };
  }
  if (typeof policy.deadLetterTargetArn !== 'string') return { name, visibilityTimeoutSeconds };
  return {
    name,
    visibilityTimeoutSeconds,
    deadLetter: {
      queue: lastPart(policy.deadLetterTargetArn, ':'),
      maxReceiveCount: Number(policy.maxReceiveCount),
    },
  };
}

function targetFrom(t: Json): LiveTarget {
  const arn = String(t.Arn ?? '');
  const retry = (t.RetryPolicy ?? {}) as Json;
  const dlq = (t.DeadLetterConfig as Json | undefined)?.Arn;
  return {
    id: String(t.Id),
    ...destinationOf(arn),
    ...(typeof retry.MaximumRetryAttempts === 'number'
      ? { maximumRetryAttempts: retry.MaximumRetryAttempts }
      : {}),
    ...(typeof retry.MaximumEventAgeInSeconds === 'number'
      ? { maximumEventAgeSeconds: retry.MaximumEventAgeInSeconds }
      : {}),
    ...(typeof dlq === 'string' && dlq !== '' ? { deadLetterQueue: lastPart(dlq, ':') } : {}),
  };
}

/** `arn:aws:sqs:…:orders` → queue "orders"; `…:function:f` → function; `…:api-destination/d` → endpoint. */
function destinationOf(arn: string): Destination {
  if (arn.startsWith('arn:aws:sqs:')) return { kind: 'queue', name: lastPart(arn, ':') };
  if (arn.startsWith('arn:aws:lambda:')) return { kind: 'function', name: lastPart(arn, ':') };
  const destination = /:api-destination\/([^/]+)/.exec(arn);
  return { kind: 'endpoint', name: destination?.[1] ?? arn };
}

function lastPart(text: string, separator: string): string {
  return text.slice(text.lastIndexOf(separator) + 1);
}
