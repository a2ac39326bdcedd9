import type { HealthMonitor, StatePush } from '../types.js';
import { defined, eachNamed, type Fields } from './fields.js';
import { TOPOLOGY_LIMITS as L } from './limits.js';

/** Reads `healthMonitors`: probe interval and timeout, hysteresis thresholds, fail-open. */
export function readHealthMonitors(root: Fields): HealthMonitor[] {
  return eachNamed(root, 'healthMonitors', 'health monitor', (f, name, path) => {
    const intervalMs = f.int('intervalMs', L.minHealthIntervalMs, L.maxMs, 'ms');
    const timeoutMs = f.int('timeoutMs', 1, L.maxMs, 'ms');
    const healthyThreshold = f.int('healthyThreshold', 1, L.maxThreshold);
    const unhealthyThreshold = f.int('unhealthyThreshold', 1, L.maxThreshold);
    const failOpen = f.bool('failOpen') ?? false;
    const panicThresholdPercent = f.int('panicThresholdPercent', 1, 100, 'percent');
    if (name === undefined) return undefined;
    return { place: `${path} "${name}"`, name, failOpen, ...defined({ intervalMs, timeoutMs, healthyThreshold, unhealthyThreshold, panicThresholdPercent }) };
  });
}

/** Reads `statePushes`: config or health distribution, full snapshots or deltas, how often. */
export function readStatePushes(root: Fields): StatePush[] {
  return eachNamed(root, 'statePushes', 'state push', (f, name, path) => {
    const kind = f.choice('kind', ['config', 'health', 'other'] as const) ?? 'other';
    const mode = f.choice('mode', ['full-snapshot', 'delta'] as const);
    if (!f.has('mode')) f.fail('mode', 'is required ("full-snapshot" or "delta")');
    const everyMs = f.int('everyMs', 1, L.maxMs, 'ms');
    const resyncEveryMs = f.int('resyncEveryMs', 1, L.maxMs, 'ms');
    if (resyncEveryMs !== undefined && mode === 'full-snapshot') f.fail('resyncEveryMs', 'only goes with mode "delta" (every full snapshot already resynchronises)');
    if (name === undefined || mode === undefined) return undefined;
    return { place: `${path} "${name}"`, name, kind, mode, ...defined({ everyMs, resyncEveryMs }) };
  });
}
