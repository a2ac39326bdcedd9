import type { Finding } from '../finding.js';
import { type Check, finding } from './check.js';

/**
 * REL04-BP03/delta-push and REL04-BP03/push-on-change: config and health state belong in full
 * snapshots of the same size every interval; deltas grow with what changed (a flapping fleet makes
 * them ~80× the size of a bitmap) and a lost one never heals.
 */
export const statePushShape: Check = ({ topology }) =>
  topology.statePushes.flatMap((p) => {
    const out: Finding[] = [];
    if (p.mode === 'delta') {
      const healed = p.resyncEveryMs !== undefined;
      const message = healed
        ? `${p.kind} push "${p.name}" sends deltas (resynchronised every ${p.resyncEveryMs} ms): its size and cost still grow with the number of changes, peaking when everything changes at once.`
        : `${p.kind} push "${p.name}" sends deltas: a missed or corrupt delta is never repaired, and the push grows with the number of changes — largest exactly when the system is in trouble.`;
      const fix = `Publish the whole ${p.kind} state every interval ("mode": "full-snapshot", "everyMs": …): a fixed-size snapshot (1 bit per endpoint for health; ballast/health's snapshot and config push) that consumers apply whole.`;
      out.push(finding('REL04-BP03/delta-push', healed ? 'low' : 'medium', p.place, message, fix));
    }
    if (p.everyMs === undefined) {
      out.push(
        finding(
          'REL04-BP03/push-on-change',
          'low',
          p.place,
          `${p.kind} push "${p.name}" runs only when something changes: work arrives in bursts with the changes, and a consumer that missed one stays stale until the next change.`,
          'Set everyMs: publish at a fixed interval whether or not anything changed (constant work).',
        ),
      );
    }
    return out;
  });
