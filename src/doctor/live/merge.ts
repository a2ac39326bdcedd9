import { DEFAULT_TARGET_RETRY } from '../validate/messaging.js';
import type { Queue, Rule, Target, Topology } from '../types.js';
import type { LiveQueue, LiveRule, LiveTarget, LiveTopology } from './read-server.js';

// Marks the place of a file element whose settings came from the server.
const FROM_SERVER = ' (from the server)';

/**
 * The topology with the server's truth in it: a queue or rule the file declares takes its settings
 * from the server (its file-only flags and its consumers stay); what only the server has is added.
 */
export function mergeLive(t: Topology, live: LiveTopology): Topology {
  const liveQueues = new Map(live.queues.map((q) => [q.name, q]));
  const fileQueues = new Set(t.queues.map((q) => q.name));
  const queues: Queue[] = [
    ...t.queues.map((q) => {
      const l = liveQueues.get(q.name);
      return l === undefined
        ? q
        : {
            ...queueFrom(l, `${q.place}${FROM_SERVER}`),
            isDeadLetterQueue: q.isDeadLetterQueue,
            origin: 'file+server' as const,
          };
    }),
    ...live.queues
      .filter((q) => !fileQueues.has(q.name))
      .map((q) => queueFrom(q, `server queue "${q.name}"`)),
  ];
  const key = (r: { bus: string; name: string }): string => `${r.bus}/${r.name}`;
  const liveRules = new Map(live.rules.map((r) => [key(r), r]));
  const fileRules = new Set(t.rules.map(key));
  const rules: Rule[] = [
    ...t.rules.map((r) => {
      const l = liveRules.get(key(r));
      return l === undefined
        ? r
        : {
            ...r,
            place: `${r.place}${FROM_SERVER}`,
            targets: mergeTargets(r, l),
            origin: 'file+server' as const,
          };
    }),
    ...live.rules
      .filter((r) => !fileRules.has(key(r)))
      .map((r) => ({
        place: `server rule "${key(r)}"`,
        name: r.name,
        bus: r.bus,
        origin: 'server' as const,
        targets: r.targets.map((lt) => targetFrom(lt, r, serverPlace(r, lt))),
      })),
  ];
  return { ...t, queues, rules };
}

function queueFrom(q: LiveQueue, place: string): Queue {
  return {
    place,
    name: q.name,
    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
    isDeadLetterQueue: false,
    origin: 'server',
    ...(q.deadLetter ? { deadLetter: q.deadLetter } : {}),
  };
}

function mergeTargets(file: Rule, live: LiveRule): Target[] {
  const liveById = new Map(live.targets.map((t) => [t.id, t]));
  const fileIds = new Set(file.targets.map((t) => t.id));
  return [
    ...file.targets.map((t) => {
      const l = liveById.get(t.id);
      return l === undefined
        ? t
        : { ...targetFrom(l, live, `${t.place}${FROM_SERVER}`), origin: 'file+server' as const };
    }),
    ...live.targets
      .filter((t) => !fileIds.has(t.id))
      .map((t) => targetFrom(t, live, serverPlace(live, t))),
  ];
}

function serverPlace(r: LiveRule, t: LiveTarget): string {
  return `server rule "${r.bus}/${r.name}" target "${t.id}" (→ ${t.kind} "${t.name}")`;
}

function targetFrom(t: LiveTarget, r: LiveRule, place: string): Target {
  return {
    place,
    id: t.id,
    rule: r.name,
    bus: r.bus,
    destination: { kind: t.kind, name: t.name },
    maximumRetryAttempts: t.maximumRetryAttempts ?? DEFAULT_TARGET_RETRY.maximumRetryAttempts,
    maximumEventAgeSeconds: t.maximumEventAgeSeconds ?? DEFAULT_TARGET_RETRY.maximumEventAgeSeconds,
    origin: 'server',
    ...(t.deadLetterQueue ? { deadLetterQueue: t.deadLetterQueue } : {}),
  };
}
