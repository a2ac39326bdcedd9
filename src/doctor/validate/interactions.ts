import type { Call, Interaction, InteractionKind, Service } from '../types.js';
import { defined, eachNamed, Fields } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';
import { readRetry } from './retries.js';

const KINDS: readonly InteractionKind[] = ['hard-real-time', 'soft-real-time'];

/** Reads `interactions`: what each one is and how it is called by default. */
export function readInteractions(root: Fields): Interaction[] {
  return eachNamed(root, 'interactions', 'interaction', (f, name, path) => {
    const kind = f.choice('kind', KINDS);
    if (!f.has('kind')) f.fail('kind', 'is required ("hard-real-time" or "soft-real-time")');
    const service = f.name('service');
    const deadlineMs = f.int('deadlineMs', 1, L.maxMs, 'ms');
    const attemptTimeoutMs = f.int('attemptTimeoutMs', 1, L.maxMs, 'ms');
    const retry = readRetry(f.object('retry'));
    const idempotent = f.bool('idempotent') ?? false;
    const maxAgeMs = f.int('maxAgeMs', 1, L.maxMs, 'ms');
    const workMs = f.int('workMs', 0, L.maxMs, 'ms');
    const parallelCalls = f.bool('parallelCalls') ?? false;
    if (name === undefined || kind === undefined) return undefined;
    return {
      place: `${path} "${name}"`,
      name,
      kind,
      idempotent,
      parallelCalls,
      ...defined({ service, deadlineMs, attemptTimeoutMs, retry, maxAgeMs, workMs }),
    };
  });
}

/** Reads `services`: each one's name and the calls it makes. */
export function readServices(root: Fields): Service[] {
  return eachNamed(root, 'services', 'service', (f, name, path) => {
    const calls: Call[] = [];
    for (const c of f.items('calls', L.maxItems)) {
      const call = readCall(Fields.of(c.value, c.path, root.problems), name ?? '?');
      if (call !== undefined) calls.push(call);
    }
    return name === undefined ? undefined : { place: `${path} "${name}"`, name, calls };
  });
}

function readCall(f: Fields | undefined, from: string): Call | undefined {
  if (f === undefined) return undefined;
  const to = f.name('to', true);
  const mode = f.choice('mode', ['sync', 'async'] as const) ?? 'sync';
  const timeoutMs = f.int('timeoutMs', 1, L.maxMs, 'ms');
  const retry = readRetry(f.object('retry'));
  const idempotent = f.bool('idempotent');
  const during: string[] = [];
  for (const d of f.items('during', L.maxItems)) {
    if (typeof d.value === 'string' && d.value !== '') during.push(d.value);
    else f.problems.add(d.path, 'must be the name of an interaction this service serves');
  }
  f.text('description');
  f.done();
  if (to === undefined) return undefined;
  return { place: `${f.path} (${from} → ${to})`, from, to, mode, ...defined({ timeoutMs, retry, idempotent, during: f.has('during') ? during : undefined }) };
}
