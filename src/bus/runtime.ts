import type { ArchiveRecord, BusRecord, RuleRecord } from '../store/bus-contract.js';
import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { createMatcher, type RuleMatcher } from './matcher.js';
import { type ArnScope, type CompiledTarget, compileTarget } from './targets.js';

/** A rule as dispatch uses it. */
export interface CompiledRule {
  readonly record: RuleRecord;
  readonly arn: string;
  readonly targets: readonly CompiledTarget[];
}

/** Everything dispatch needs about one bus: its matcher, its rules and its archives. */
export interface CompiledBus {
  readonly record: BusRecord;
  readonly matcher: RuleMatcher;
  /** Every enabled rule of the bus by id (those with a pattern are in `matcher`; scheduled ones are fired by id). */
  readonly rules: ReadonlyMap<string, CompiledRule>;
  /** Archives of the bus without a pattern: they take every event. */
  readonly archiveAll: readonly ArchiveRecord[];
  /** A matcher over the archives with a pattern (keys: archive ids). */
  readonly archiveMatcher: RuleMatcher;
}

/** ARN of a rule: `rule/<name>` on the default bus, `rule/<bus>/<name>` on others. */
export function ruleArn(scope: ArnScope, busName: string, ruleName: string): string {
  const path = busName === 'default' ? ruleName : `${busName}/${ruleName}`;
  return `arn:aws:events:${scope.region}:${scope.accountId}:rule/${path}`;
}

/** Rules compiled per turn of the event loop. */
const COMPILE_SLICE = 25;

/** Compiles every bus, rule and archive of the store (one node's view, rebuilt when the rules version moves). */
export async function compileBuses(
  store: Pick<Store, 'bus'>,
  scope: ArnScope,
  limits: BusLimits,
): Promise<{ version: number; buses: Map<number, CompiledBus> }> {
  // Read the version first: a change that lands while we load makes the next check reload again.
  const version = await store.bus.rulesVersion();
  const [buses, rules, archives] = await Promise.all([
    listAll((after) => store.bus.listBuses('', after, 100)),
    store.bus.loadRules(),
    listAll((after) => store.bus.listArchives('', null, after, 100)),
  ]);
  const out = new Map<number, CompiledBus>();
  let sinceYield = 0;
  for (const bus of buses) {
    const matcher = createMatcher();
    const compiled = new Map<string, CompiledRule>();
    for (const rule of rules) {
      if (rule.busId !== bus.id || rule.state !== 'ENABLED') continue;
      // Hundreds of rules take tens of milliseconds to compile: let requests in between.
      if (++sinceYield % COMPILE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const key = String(rule.id);
      // A stored pattern was validated when it was put; a later, stricter limit must not stop dispatch of the others.
      try {
        if (rule.eventPattern !== null) matcher.add(key, rule.eventPattern);
      } catch {
        continue;
      }
      const targets = rule.targets
        .map((t) => compileTarget(t, scope, limits))
        .filter((t): t is CompiledTarget => t !== undefined);
      compiled.set(key, { record: rule, arn: ruleArn(scope, bus.name, rule.name), targets });
    }
    const own = archives.filter((a) => a.busId === bus.id && a.state === 'ENABLED');
    const archiveMatcher = createMatcher();
    for (const a of own) {
      if (a.eventPattern === null) continue;
      try {
        archiveMatcher.add(String(a.id), a.eventPattern);
      } catch {
        // Same as rules: skip, never block dispatch.
      }
    }
    const archiveAll = own.filter((a) => a.eventPattern === null);
    out.set(bus.id, { record: bus, matcher, rules: compiled, archiveAll, archiveMatcher });
  }
  return { version, buses: out };
}

async function listAll<T extends { name: string }>(
  page: (after: string | null) => Promise<T[]>,
): Promise<T[]> {
  const all: T[] = [];
  for (let after: string | null = null; ;) {
    const rows = await page(after);
    all.push(...rows);
    if (rows.length < 100) return all;
    after = rows[rows.length - 1]!.name;
  }
}
