import type { Finding } from '../finding.js';
import { type Check, finding } from './check.js';

/**
 * REL04-BP03/health-no-hysteresis, /health-no-fail-open and /probe-timeout-over-interval: a health
 * signal that flaps on one probe, takes the whole fleet out when a shared dependency fails, or
 * piles up probes when endpoints hang turns a small degradation into an outage.
 */
export const healthMonitorShape: Check = ({ topology }) =>
  topology.healthMonitors.flatMap((m) => {
    const out: Finding[] = [];
    const { healthyThreshold: up, unhealthyThreshold: down } = m;
    if (up === undefined || down === undefined || (up === 1 && down === 1)) {
      const now =
        up === undefined || down === undefined
          ? 'has no healthy/unhealthy thresholds'
          : 'changes state on a single probe (thresholds 1/1)';
      out.push(
        finding(
          'REL04-BP03/health-no-hysteresis',
          'medium',
          m.place,
          `health monitor "${m.name}" ${now}: one lost probe marks an endpoint down and one lucky probe brings it back, so endpoints flap and load swings with them.`,
          'Set unhealthyThreshold (e.g. 2–3 consecutive failures) and a larger healthyThreshold (e.g. 3–5 successes): slower to recover than to fail.',
        ),
      );
    }
    if (!m.failOpen && m.panicThresholdPercent === undefined) {
      out.push(
        finding(
          'REL04-BP03/health-no-fail-open',
          'medium',
          m.place,
          `health monitor "${m.name}" neither fails open nor has a panic threshold: when a shared dependency makes every check fail at once, every endpoint is removed and a partial problem becomes a full outage.`,
          'Set failOpen: true (all unhealthy → use all), or panicThresholdPercent (e.g. 50: below that share of healthy endpoints, use all of them).',
        ),
      );
    }
    if (m.timeoutMs !== undefined && m.intervalMs !== undefined && m.timeoutMs >= m.intervalMs) {
      out.push(
        finding(
          'REL04-BP03/probe-timeout-over-interval',
          'medium',
          m.place,
          `health monitor "${m.name}" waits up to ${m.timeoutMs} ms per probe but probes every ${m.intervalMs} ms: when endpoints hang, probes in flight pile up and the checker's work grows with the failure.`,
          `Set timeoutMs below intervalMs (e.g. ${Math.max(1, Math.floor(m.intervalMs / 2))} ms) so the work per interval stays constant.`,
        ),
      );
    }
    return out;
  });
