import * as v from 'valibot';
import type { Call, Interaction, InteractionKind, Service } from '../types.js';
import {
  bool,
  choice,
  defined,
  int,
  items,
  name,
  named,
  namedList,
  object,
  text,
} from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';
import { RETRY, toRetry } from './retries.js';

const KINDS: readonly InteractionKind[] = ['hard-real-time', 'soft-real-time'];

/** `interactions`: what each one is and how it is called by default. */
export const INTERACTIONS = namedList(
  'interactions',
  'interaction',
  named(
    {
      kind: choice(KINDS),
      service: v.optional(name()),
      deadlineMs: v.optional(int(1, L.maxMs, 'ms')),
      attemptTimeoutMs: v.optional(int(1, L.maxMs, 'ms')),
      retry: v.optional(RETRY),
      idempotent: v.optional(bool()),
      maxAgeMs: v.optional(int(1, L.maxMs, 'ms')),
      workMs: v.optional(int(0, L.maxMs, 'ms')),
      parallelCalls: v.optional(bool()),
    },
    { required: { kind: 'is required ("hard-real-time" or "soft-real-time")' } },
  ),
);

/** The validated `interactions`, each with its place. */
export function toInteractions(list: v.InferOutput<typeof INTERACTIONS> = []): Interaction[] {
  return list.map((item, i) => {
    const { retry } = item;
    return {
      place: `interactions[${i}] "${item.name}"`,
      name: item.name,
      kind: item.kind,
      idempotent: item.idempotent ?? false,
      parallelCalls: item.parallelCalls ?? false,
      ...defined({
        service: item.service,
        deadlineMs: item.deadlineMs,
        attemptTimeoutMs: item.attemptTimeoutMs,
        retry: retry && toRetry(retry),
        maxAgeMs: item.maxAgeMs,
        workMs: item.workMs,
      }),
    };
  });
}

const CALL = object({
  to: name(),
  mode: v.optional(choice(['sync', 'async'] as const)),
  timeoutMs: v.optional(int(1, L.maxMs, 'ms')),
  retry: v.optional(RETRY),
  idempotent: v.optional(bool()),
  during: v.optional(
    items(
      v.custom<string>(
        (x) => typeof x === 'string' && x !== '',
        'must be the name of an interaction this service serves',
      ),
    ),
  ),
  description: v.optional(text()),
});

/** `services`: each one's name and the calls it makes. */
export const SERVICES = namedList('services', 'service', named({ calls: v.optional(items(CALL)) }));

/** The validated `services`, each call with its place. */
export function toServices(list: v.InferOutput<typeof SERVICES> = []): Service[] {
  return list.map(({ name: from, calls = [] }, i) => ({
    place: `services[${i}] "${from}"`,
    name: from,
    calls: calls.map(({ to, mode, timeoutMs, retry, idempotent, during }, j): Call => ({
      place: `services[${i}].calls[${j}] (${from} → ${to})`,
      from,
      to,
      mode: mode ?? 'sync',
      ...defined({ timeoutMs, retry: retry && toRetry(retry), idempotent, during }),
    })),
  }));
}
