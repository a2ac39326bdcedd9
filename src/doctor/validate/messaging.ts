import type { Consumer, DeadLetterSpec, Destination, Queue, Rule, Target } from '../types.js';
import { defined, eachNamed, Fields, uniqueNames } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** SQS's default visibility timeout, seconds. */
export const DEFAULT_VISIBILITY_SECONDS = 30;
/** EventBridge's default target retry policy: 185 retries over at most 24 hours. */
export const DEFAULT_TARGET_RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 } as const;
/** The bus a rule is on when none is named. */
export const DEFAULT_BUS = 'default';

const DESTINATIONS: readonly Destination['kind'][] = ['queue', 'function', 'endpoint'];

/** Reads `queues`: visibility timeout and dead-letter settings. */
export function readQueues(root: Fields): Queue[] {
  return eachNamed(root, 'queues', 'queue', (f, name, path) => {
    const visibilityTimeoutSeconds = f.int('visibilityTimeoutSeconds', 0, L.maxVisibilitySeconds, 'seconds') ?? DEFAULT_VISIBILITY_SECONDS;
    const deadLetter = readDeadLetter(f.object('deadLetter'));
    const isDeadLetterQueue = f.bool('isDeadLetterQueue') ?? false;
    if (name === undefined) return undefined;
    return { place: `${path} "${name}"`, name, visibilityTimeoutSeconds, isDeadLetterQueue, origin: 'file' as const, ...defined({ deadLetter }) };
  });
}

function readDeadLetter(f: Fields | undefined): DeadLetterSpec | undefined {
  if (f === undefined) return undefined;
  const queue = f.name('queue', true);
  const maxReceiveCount = f.int('maxReceiveCount', 1, L.maxReceiveCount, '', true);
  f.done();
  return queue === undefined || maxReceiveCount === undefined ? undefined : { queue, maxReceiveCount };
}

/** Reads `rules` and their `targets`. */
export function readRules(root: Fields): Rule[] {
  const read = (f: Fields, name: string | undefined, path: string): Rule | undefined => {
    const bus = f.name('bus') ?? DEFAULT_BUS;
    const targets: Target[] = [];
    const ids: { name: string | undefined; path: string }[] = [];
    for (const t of f.items('targets', L.maxItems)) {
      const tf = Fields.of(t.value, t.path, root.problems);
      if (tf === undefined) continue;
      const target = readTarget(tf, name ?? '?', bus);
      ids.push({ name: target?.id, path: tf.at('id') });
      if (target !== undefined) targets.push(target);
    }
    uniqueNames(ids, 'target id', root.problems);
    return name === undefined ? undefined : { place: `${path} "${name}"`, name, bus, targets, origin: 'file' };
  };
  return eachNamed(root, 'rules', 'rule (on its bus)', read, (r) => `${r.bus}/${r.name}`);
}

function readTarget(f: Fields, rule: string, bus: string): Target | undefined {
  const id = f.name('id', true);
  const given = DESTINATIONS.flatMap((kind) => {
    const name = f.name(kind);
    return name === undefined ? [] : [{ kind, name }];
  });
  if (given.length !== 1) f.problems.add(f.path, `must name exactly one of ${DESTINATIONS.join(', ')} (got ${given.length})`);
  const policy = f.object('retryPolicy');
  const maximumRetryAttempts = policy?.int('maximumRetryAttempts', 0, L.maxTargetRetries) ?? DEFAULT_TARGET_RETRY.maximumRetryAttempts;
  const maximumEventAgeSeconds =
    policy?.int('maximumEventAgeSeconds', L.minEventAgeSeconds, L.maxEventAgeSeconds, 'seconds') ?? DEFAULT_TARGET_RETRY.maximumEventAgeSeconds;
  policy?.done();
  const deadLetterQueue = f.name('deadLetterQueue');
  f.text('description');
  f.done();
  const destination = given[0];
  if (id === undefined || destination === undefined || given.length !== 1) return undefined;
  return {
    place: `${f.path} (rule "${rule}" → ${destination.kind} "${destination.name}")`,
    id,
    rule,
    bus,
    destination,
    maximumRetryAttempts,
    maximumEventAgeSeconds,
    origin: 'file',
    ...defined({ deadLetterQueue }),
  };
}

/** Reads `consumers`: what each handles (a queue, or a rule's target) and how. */
export function readConsumers(root: Fields): Consumer[] {
  return eachNamed(root, 'consumers', 'consumer', (f, name, path) => {
    const queue = f.name('queue');
    const rule = f.name('rule');
    const target = f.name('target');
    const bus = f.name('bus') ?? DEFAULT_BUS;
    if ((queue === undefined) === (rule === undefined)) f.problems.add(path, 'must name exactly one source: queue, or rule with target');
    if (rule !== undefined && target === undefined) f.fail('target', "is required with rule (the id of the rule's target)");
    if (rule === undefined && (target !== undefined || f.has('bus'))) f.problems.add(path, 'target and bus only go with rule');
    const idempotent = f.bool('idempotent') ?? false;
    const handlerTimeoutSeconds = f.int('handlerTimeoutSeconds', 1, L.maxHandlerSeconds, 'seconds');
    const heartbeat = f.bool('heartbeat') ?? false;
    const visibilityTimeoutSeconds = f.int('visibilityTimeoutSeconds', 0, L.maxVisibilitySeconds, 'seconds');
    if (visibilityTimeoutSeconds !== undefined && queue === undefined) f.fail('visibilityTimeoutSeconds', 'only goes with queue');
    if (name === undefined) return undefined;
    return { place: `${path} "${name}"`, name, bus, idempotent, heartbeat, ...defined({ queue, rule, target, handlerTimeoutSeconds, visibilityTimeoutSeconds }) };
  });
}
