import * as v from 'valibot';
import { duplicates, isPlainObject, type Report } from '../../core/config/schema.js';
import type { Consumer, Destination, Queue, Rule, Target } from '../types.js';
import {
  bool,
  defined,
  int,
  isName,
  items,
  name,
  named,
  namedList,
  object,
  text,
} from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** SQS's default visibility timeout, seconds. */
export const DEFAULT_VISIBILITY_SECONDS = 30;
/** EventBridge's default target retry policy: 185 retries over at most 24 hours. */
export const DEFAULT_TARGET_RETRY = {
  maximumRetryAttempts: 185,
  maximumEventAgeSeconds: 86_400,
} as const;
/** The bus a rule is on when none is named. */
export const DEFAULT_BUS = 'default';

const DESTINATIONS: readonly Destination['kind'][] = ['queue', 'function', 'endpoint'];

/** `queues`: visibility timeout and dead-letter settings. */
export const QUEUES = namedList(
  'queues',
  'queue',
  named({
    visibilityTimeoutSeconds: v.optional(int(0, L.maxVisibilitySeconds, 'seconds')),
    deadLetter: v.optional(object({ queue: name(), maxReceiveCount: int(1, L.maxReceiveCount) })),
    isDeadLetterQueue: v.optional(bool()),
  }),
);

/** The validated `queues`, defaults filled in. */
export function toQueues(list: v.InferOutput<typeof QUEUES> = []): Queue[] {
  return list.map(({ name, visibilityTimeoutSeconds, deadLetter, isDeadLetterQueue }, i) => ({
    place: `queues[${i}] "${name}"`,
    name,
    visibilityTimeoutSeconds: visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_SECONDS,
    isDeadLetterQueue: isDeadLetterQueue ?? false,
    origin: 'file' as const,
    ...defined({ deadLetter }),
  }));
}

/** The destinations a target names validly (exactly one is allowed). */
function destinationsOf(target: Readonly<Record<string, unknown>>): Destination[] {
  return DESTINATIONS.flatMap((kind) =>
    isName(target[kind]) ? [{ kind, name: target[kind] }] : [],
  );
}

const TARGET = object(
  {
    id: name(),
    queue: v.optional(name()),
    function: v.optional(name()),
    endpoint: v.optional(name()),
    retryPolicy: v.optional(
      object({
        maximumRetryAttempts: v.optional(int(0, L.maxTargetRetries)),
        maximumEventAgeSeconds: v.optional(
          int(L.minEventAgeSeconds, L.maxEventAgeSeconds, 'seconds'),
        ),
      }),
    ),
    deadLetterQueue: v.optional(name()),
    description: v.optional(text()),
  },
  {
    check: (f) => {
      const given = destinationsOf(f.input).length;
      if (given !== 1)
        f.reportAfter(
          'endpoint',
          `must name exactly one of ${DESTINATIONS.join(', ')} (got ${given})`,
        );
    },
  },
);

/** Target ids are unique within their rule; checked from the list of rules, which knows the full paths. */
function uniqueTargetIds(rules: readonly unknown[], report: Report): void {
  rules.forEach((rule, i) => {
    const targets = isPlainObject(rule) ? rule['targets'] : undefined;
    if (!Array.isArray(targets)) return;
    // As a target too broken to have a destination has no id to compare.
    const ids = targets.map((t: unknown) =>
      isPlainObject(t) && isName(t['id']) && destinationsOf(t).length === 1 ? t['id'] : undefined,
    );
    for (const { index, first } of duplicates(ids))
      report(
        [i, 'targets', index, 'id'],
        `duplicates the target id name "${ids[index]}" of rules[${i}].targets[${first}].id`,
      );
  });
}

/** `rules` and their `targets`; a rule's name is unique on its bus. */
export const RULES = namedList(
  'rules',
  'rule (on its bus)',
  named({ bus: v.optional(name()), targets: v.optional(items(TARGET)) }),
  {
    uniqueKey: (rule) =>
      `${isName(rule['bus']) ? rule['bus'] : DEFAULT_BUS}/${String(rule['name'])}`,
    check: uniqueTargetIds,
  },
);

/** The validated `rules`, each target with its place and EventBridge's retry defaults. */
export function toRules(list: v.InferOutput<typeof RULES> = []): Rule[] {
  return list.map(({ name: rule, bus = DEFAULT_BUS, targets = [] }, i) => ({
    place: `rules[${i}] "${rule}"`,
    name: rule,
    bus,
    origin: 'file',
    targets: targets.map((t, j): Target => {
      const destination = destinationsOf(t)[0] as Destination;
      return {
        place: `rules[${i}].targets[${j}] (rule "${rule}" → ${destination.kind} "${destination.name}")`,
        id: t.id,
        rule,
        bus,
        destination,
        maximumRetryAttempts:
          t.retryPolicy?.maximumRetryAttempts ?? DEFAULT_TARGET_RETRY.maximumRetryAttempts,
        maximumEventAgeSeconds:
          t.retryPolicy?.maximumEventAgeSeconds ?? DEFAULT_TARGET_RETRY.maximumEventAgeSeconds,
        origin: 'file',
        ...defined({ deadLetterQueue: t.deadLetterQueue }),
      };
    }),
  }));
}

/** `consumers`: what each handles (a queue, or a rule's target) and how. */
export const CONSUMERS = namedList(
  'consumers',
  'consumer',
  named(
    {
      queue: v.optional(name()),
      rule: v.optional(name()),
      target: v.optional(name()),
      bus: v.optional(name()),
      idempotent: v.optional(bool()),
      handlerTimeoutSeconds: v.optional(int(1, L.maxHandlerSeconds, 'seconds')),
      heartbeat: v.optional(bool()),
      visibilityTimeoutSeconds: v.optional(int(0, L.maxVisibilitySeconds, 'seconds')),
    },
    {
      check: (f) => {
        const queue = f.valid('queue');
        const rule = f.valid('rule');
        if ((queue === undefined) === (rule === undefined))
          f.reportAfter('bus', 'must name exactly one source: queue, or rule with target');
        if (rule !== undefined && f.valid('target') === undefined)
          f.report(['target'], "is required with rule (the id of the rule's target)");
        if (rule === undefined && (f.valid('target') !== undefined || f.has('bus')))
          f.reportAfter('bus', 'target and bus only go with rule');
        if (f.valid('visibilityTimeoutSeconds') !== undefined && queue === undefined)
          f.report(['visibilityTimeoutSeconds'], 'only goes with queue');
      },
    },
  ),
);

/** The validated `consumers`, defaults filled in. */
export function toConsumers(list: v.InferOutput<typeof CONSUMERS> = []): Consumer[] {
  return list.map((item, i) => {
    const { queue, rule, target, handlerTimeoutSeconds, visibilityTimeoutSeconds } = item;
    return {
      place: `consumers[${i}] "${item.name}"`,
      name: item.name,
      bus: item.bus ?? DEFAULT_BUS,
      idempotent: item.idempotent ?? false,
      heartbeat: item.heartbeat ?? false,
      ...defined({ queue, rule, target, handlerTimeoutSeconds, visibilityTimeoutSeconds }),
    };
  });
}
