import * as v from 'valibot';
import type { HealthMonitor, StatePush } from '../types.js';
import { bool, choice, defined, int, named, namedList } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** `healthMonitors`: probe interval and timeout, hysteresis thresholds, fail-open. */
export const HEALTH_MONITORS = namedList(
  'healthMonitors',
  'health monitor',
  named({
    intervalMs: v.optional(int(L.minHealthIntervalMs, L.maxMs, 'ms')),
    timeoutMs: v.optional(int(1, L.maxMs, 'ms')),
    healthyThreshold: v.optional(int(1, L.maxThreshold)),
    unhealthyThreshold: v.optional(int(1, L.maxThreshold)),
    failOpen: v.optional(bool()),
    panicThresholdPercent: v.optional(int(1, 100, 'percent')),
  }),
);

/** The validated `healthMonitors`, each with its place. */
export function toHealthMonitors(
  list: v.InferOutput<typeof HEALTH_MONITORS> = [],
): HealthMonitor[] {
  return list.map(
    (
      {
        name,
        failOpen,
        intervalMs,
        timeoutMs,
        healthyThreshold,
        unhealthyThreshold,
        panicThresholdPercent,
      },
      i,
    ) => ({
      place: `healthMonitors[${i}] "${name}"`,
      name,
      failOpen: failOpen ?? false,
      ...defined({
        intervalMs,
        timeoutMs,
        healthyThreshold,
        unhealthyThreshold,
        panicThresholdPercent,
      }),
    }),
  );
}

/** `statePushes`: config or health distribution, full snapshots or deltas, how often. */
export const STATE_PUSHES = namedList(
  'statePushes',
  'state push',
  named(
    {
      kind: v.optional(choice(['config', 'health', 'other'] as const)),
      mode: choice(['full-snapshot', 'delta'] as const),
      everyMs: v.optional(int(1, L.maxMs, 'ms')),
      resyncEveryMs: v.optional(int(1, L.maxMs, 'ms')),
    },
    {
      required: { mode: 'is required ("full-snapshot" or "delta")' },
      check: (f) => {
        if (f.valid('resyncEveryMs') !== undefined && f.valid('mode') === 'full-snapshot') {
          f.report(
            ['resyncEveryMs'],
            'only goes with mode "delta" (every full snapshot already resynchronises)',
          );
        }
      },
    },
  ),
);

/** The validated `statePushes`, each with its place. */
export function toStatePushes(list: v.InferOutput<typeof STATE_PUSHES> = []): StatePush[] {
  return list.map(({ name, kind, mode, everyMs, resyncEveryMs }, i) => ({
    place: `statePushes[${i}] "${name}"`,
    name,
    kind: kind ?? 'other',
    mode,
    ...defined({ everyMs, resyncEveryMs }),
  }));
}
