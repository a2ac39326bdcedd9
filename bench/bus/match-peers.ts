/**
 * The systems the matching benchmark compares. Ballast compiles every rule into one matcher;
 * the JavaScript alternatives on npm test rules one by one, so each gets a loop over rules:
 * - sift (MongoDB queries): patterns translated to queries (`$in`, `$regex`, ranges, `$exists`,
 *   `$nin`, `$or`, `$elemMatch` for array consistency; CIDR through a `$where` function);
 * - json-rules-engine: patterns translated to conditions, with custom operators for prefix,
 *   suffix, ignore-case, wildcard, anything-but, exists and CIDR (it has none of these);
 * - serverless-offline-aws-eventbridge: its own matcher (`verifyIsSubscribed`), loaded from a
 *   directory outside this project (see match.ts for why it is not a devDependency).
 * Translations are written here for the benchmark; where a peer's semantics differ from
 * EventBridge's, the agreement check reports it rather than hiding it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Engine, type NestedCondition, type TopLevelCondition } from 'json-rules-engine';
import sift from 'sift';
import { inCidr, parseCidr, parseIp } from '../../src/patterns/cidr.js';
import { PatternMatcher } from '../../src/patterns/index.js';
import type { BenchEvent } from './match-data.js';
import type { BenchRule, Family } from './match-rules.js';

/** A loaded rule set, ready to match events. */
export interface Built {
  /** Rule ids matching one pre-parsed event. */
  matchObject(event: BenchEvent): string[] | Promise<string[]>;
  /** Rule ids matching one event given as JSON text (absent: the system has no such input). */
  matchText?(text: string): string[] | Promise<string[]>;
  /** Whether the match functions return promises. */
  readonly async: boolean;
  /** Work done once per event before timing (a peer's own input format). */
  prepare?(event: BenchEvent): void;
  /** Candidates verified per event so far (Ballast only). */
  candidatesPerEvent?(): number;
}

/** A system under test. */
export interface MatchSystem {
  readonly id: string;
  /** What its input is in each mode, for the report. */
  readonly inputs: string;
  /** Loads `rules`, or returns why this system cannot run this family. */
  build(rules: readonly BenchRule[], family: Family): Built | string;
}

type Pattern = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A wildcard as an anchored regular expression (`\*` literal stars are not used by the rule sets). */
const wildcardRegex = (w: string): string => `^${w.split('*').map(escape).join('.*')}$`;
/** The bench's arrays of objects: where a translation must keep fields within one element. */
const OBJECT_ARRAYS = new Set(['detail.history']);

function cidrTest(block: string): (v: unknown) => boolean {
  const parsed = parseCidr(block, []);
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== null && inCidr(parsed, ip);
  };
}

// ---------------------------------------------------------------- Ballast

export const ballast: MatchSystem = {
  id: 'ballast',
  inputs: 'obj = pre-parsed object; text = JSON text, parsed inside match()',
  build(rules) {
    const m = new PatternMatcher();
    for (const r of rules) m.add(r.id, r.pattern);
    return {
      async: false,
      matchObject: (e) => m.match(e),
      matchText: (t) => m.match(t),
      candidatesPerEvent: () => m.stats.candidates / Math.max(1, m.stats.events),
    };
  },
};

// ---------------------------------------------------------------- sift

function siftValue(v: unknown): Record<string, unknown> {
  if (!isObject(v)) return { $eq: v };
  const [op, arg] = Object.entries(v)[0]!;
  switch (op) {
    case 'prefix':
      return isObject(arg)
        ? { $regex: `^${escape(String(arg['equals-ignore-case']))}`, $options: 'i' }
        : { $regex: `^${escape(String(arg))}` };
    case 'suffix':
      return isObject(arg)
        ? { $regex: `${escape(String(arg['equals-ignore-case']))}$`, $options: 'i' }
        : { $regex: `${escape(String(arg))}$` };
    case 'equals-ignore-case':
      return { $regex: `^${escape(String(arg))}$`, $options: 'i' };
    case 'wildcard':
      return { $regex: wildcardRegex(String(arg)) };
    case 'exists':
      return { $exists: arg };
    case 'numeric': {
      const ops = arg as (string | number)[];
      const names: Record<string, string> = {
        '>': '$gt',
        '>=': '$gte',
        '<': '$lt',
        '<=': '$lte',
        '=': '$eq',
      };
      const q: Record<string, unknown> = {};
      for (let i = 0; i < ops.length; i += 2) q[names[ops[i] as string]!] = ops[i + 1];
      return q;
    }
    case 'anything-but': {
      if (!isObject(arg)) return { $exists: true, $nin: Array.isArray(arg) ? arg : [arg] };
      const [kind, val] = Object.entries(arg)[0]!;
      const list = (Array.isArray(val) ? val : [val]) as string[];
      const source =
        kind === 'prefix'
          ? list.map((p) => `^${escape(p)}`)
          : kind === 'suffix'
            ? list.map((s) => `${escape(s)}$`)
            : kind === 'wildcard'
              ? list.map(wildcardRegex)
              : list.map((s) => `^${escape(s)}$`);
      return {
        $exists: true,
        $not: new RegExp(source.join('|'), kind === 'equals-ignore-case' ? 'i' : ''),
      };
    }
    default:
      throw new Error(`sift translation: no ${op}`);
  }
}

function siftField(path: string, values: unknown[]): Record<string, unknown> {
  const cidr = values.find((v) => isObject(v) && 'cidr' in v) as { cidr: string } | undefined;
  if (cidr) {
    const test = cidrTest(cidr.cidr);
    const steps = path.split('.');
    return {
      $where(this: unknown) {
        return test(steps.reduce<unknown>((v, s) => (isObject(v) ? v[s] : undefined), this));
      },
    };
  }
  const clauses = values.map((v) => ({ [path]: siftValue(v) }));
  return clauses.length === 1 ? clauses[0]! : { $or: clauses };
}

/** EventBridge pattern → MongoDB query (paths relative to `prefix`). */
export function toSift(pattern: Pattern, prefix = '', base = ''): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or')
      clauses.push({ $or: (value as Pattern[]).map((p) => toSift(p, prefix, base)) });
    else if (Array.isArray(value)) clauses.push(siftField(prefix + key, value));
    else if (OBJECT_ARRAYS.has(base + prefix + key))
      clauses.push({
        [prefix + key]: { $elemMatch: toSift(value as Pattern, '', `${base}${prefix}${key}.`) },
      });
    else clauses.push(toSift(value as Pattern, `${prefix}${key}.`, base));
  }
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

export const siftLoop: MatchSystem = {
  id: 'sift',
  inputs: 'obj = pre-parsed object; text = JSON.parse, then the loop',
  build(rules) {
    const testers = rules.map((r) => ({ id: r.id, test: sift.default(toSift(r.pattern)) }));
    const match = (e: unknown): string[] => {
      const out: string[] = [];
      for (const t of testers) if (t.test(e)) out.push(t.id);
      return out;
    };
    return { async: false, matchObject: match, matchText: (t) => match(JSON.parse(t)) };
  },
};

// ---------------------------------------------------------------- json-rules-engine

const JRE_OPERATORS: Record<string, (fact: unknown, arg: never) => boolean> = {
  prefix: (f, p: string) => typeof f === 'string' && f.startsWith(p),
  suffix: (f, s: string) => typeof f === 'string' && f.endsWith(s),
  prefixIgnoreCase: (f, p: string) => typeof f === 'string' && f.toLowerCase().startsWith(p),
  suffixIgnoreCase: (f, s: string) => typeof f === 'string' && f.toLowerCase().endsWith(s),
  equalsIgnoreCase: (f, s: string) => typeof f === 'string' && f.toLowerCase() === s,
  wildcard: (f, re: RegExp) => typeof f === 'string' && re.test(f),
  exists: (f, want: boolean) => (f !== undefined) === want,
  numeric: (f, range: (string | number)[]) => {
    if (typeof f !== 'number') return false;
    for (let i = 0; i < range.length; i += 2) {
      const b = range[i + 1] as number;
      const ok = { '>': f > b, '>=': f >= b, '<': f < b, '<=': f <= b, '=': f === b }[
        range[i] as string
      ];
      if (!ok) return false;
    }
    return true;
  },
  anythingBut: (f, test: (v: unknown) => boolean) => f !== undefined && !test(f),
  cidr: (f, test: (v: unknown) => boolean) => test(f),
};

function jreValue(path: string, v: unknown): NestedCondition {
  const c = (operator: string, value: unknown): NestedCondition => ({
    fact: 'event',
    path,
    operator,
    value,
  });
  if (!isObject(v)) return c('equal', v);
  const [op, arg] = Object.entries(v)[0]!;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return isObject(arg)
        ? c(`${op}IgnoreCase`, String(arg['equals-ignore-case']).toLowerCase())
        : c(op, arg);
    case 'equals-ignore-case':
      return c('equalsIgnoreCase', String(arg).toLowerCase());
    case 'wildcard':
      return c('wildcard', new RegExp(wildcardRegex(String(arg))));
    case 'exists':
    case 'numeric':
      return c(op, arg);
    case 'cidr':
      return c('cidr', cidrTest(String(arg)));
    case 'anything-but': {
      const s = toSift({ x: [{ 'anything-but': arg }] }) as {
        x: { $nin?: unknown[]; $not?: RegExp };
      };
      const nin = s.x.$nin;
      const not = s.x.$not;
      return c(
        'anythingBut',
        nin
          ? (x: unknown) => nin.includes(x)
          : (x: unknown) => typeof x === 'string' && not!.test(x),
      );
    }
    default:
      throw new Error(`json-rules-engine translation: no ${op}`);
  }
}

/** JSONPath of an event path (bracket notation: keys like `detail-type`). */
const jsonPath = (steps: string[]): string =>
  `$${steps.map((s) => `[${JSON.stringify(s)}]`).join('')}`;

/** EventBridge pattern → json-rules-engine condition. */
export function toJre(pattern: Pattern, steps: string[] = []): NestedCondition {
  const all: NestedCondition[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') all.push({ any: (value as Pattern[]).map((p) => toJre(p, steps)) });
    else if (Array.isArray(value)) {
      const path = jsonPath([...steps, key]);
      const any = value.map((v) => jreValue(path, v));
      all.push(any.length === 1 ? any[0]! : { any });
    } else all.push(toJre(value as Pattern, [...steps, key]));
  }
  return { all };
}

export const jreLoop: MatchSystem = {
  id: 'json-rules-engine',
  inputs: 'obj = pre-parsed object as the fact; text = JSON.parse, then engine.run',
  build(rules, family) {
    if (family === 'array-consistency')
      return 'its conditions read one value per path; fields of one array element cannot be tied together without writing the matcher as a custom operator';
    const engine = new Engine([], { allowUndefinedFacts: true });
    for (const [name, fn] of Object.entries(JRE_OPERATORS))
      engine.addOperator(name, fn as (a: unknown, b: unknown) => boolean);
    for (const r of rules)
      engine.addRule({
        name: r.id,
        conditions: toJre(r.pattern) as TopLevelCondition,
        event: { type: r.id },
      });
    const match = async (e: unknown): Promise<string[]> =>
      (await engine.run({ event: e })).results.map((x) => x.event!.type);
    return { async: true, matchObject: match, matchText: (t) => match(JSON.parse(t)) };
  },
};

// ---------------------------------------------------------------- serverless-offline-aws-eventbridge

interface SoePlugin {
  verifyIsSubscribed(
    subscriber: { functionKey: string; event: { pattern: Pattern } },
    entry: Record<string, unknown>,
  ): boolean;
}

/** The serverless-offline plugin's matcher, loaded from `dir` (an npm install of the package). */
export function serverlessOffline(dir: string | undefined): MatchSystem {
  let plugin: SoePlugin | string;
  if (!dir) {
    plugin = 'not installed: pass --soe-dir (see bench/bus/match.ts)';
  } else {
    try {
      const load = createRequire(join(dir, 'package.json'));
      const Plugin = load('serverless-offline-aws-eventbridge') as new (
        ...args: unknown[]
      ) => SoePlugin;
      plugin = new Plugin({ service: { custom: {} } }, {}, { log: { notice() {} } });
    } catch (e) {
      plugin = `could not be loaded from ${dir}: ${(e as Error).message}`;
    }
  }
  return {
    id: 'serverless-offline',
    inputs: 'a PutEvents entry (Source, DetailType, Detail as JSON text, which it parses per rule)',
    build(rules, family) {
      if (typeof plugin === 'string') return plugin;
      if (family === 'wildcard' || family === 'cidr')
        return `throws "The ${family} eventBridge filter is not supported"`;
      const p = plugin;
      const subscribers = rules.map((r) => ({ functionKey: r.id, event: { pattern: r.pattern } }));
      // Its input is a PutEvents entry; entries are made once per event, outside the timing.
      const entries = new WeakMap<BenchEvent, Record<string, unknown>>();
      const entryOf = (e: BenchEvent): Record<string, unknown> => {
        let entry = entries.get(e);
        if (!entry)
          entries.set(
            e,
            (entry = {
              Source: e.source,
              DetailType: e['detail-type'],
              Detail: JSON.stringify(e.detail),
              EventBusName: 'default',
            }),
          );
        return entry;
      };
      return {
        async: false,
        prepare: (e: BenchEvent) => void entryOf(e),
        matchObject: (e: BenchEvent) => {
          const entry = entryOf(e);
          return subscribers
            .filter((s) => p.verifyIsSubscribed(s, entry))
            .map((s) => s.functionKey);
        },
      };
    },
  };
}
