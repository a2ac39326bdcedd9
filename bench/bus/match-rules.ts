/**
 * Rule sets for the matching benchmark, one operator family at a time. Values are drawn from
 * the events (so some rules match) and rules name 1–3 fields, so most rules miss most events,
 * as on a real bus. Rules are distinct; the same seed gives the same rules.
 */
import { type BenchEvent, type DataSet, Draw, prng } from './match-data.js';

/** Operator families, each with its own rule set. */
export const FAMILIES = [
  'exact',
  'prefix',
  'suffix',
  'equals-ignore-case',
  'numeric',
  'anything-but',
  'wildcard',
  'exists',
  'cidr',
  '$or',
  'array-consistency',
] as const;
export type Family = (typeof FAMILIES)[number];

/** One rule: an id and an EventBridge pattern. */
export interface BenchRule {
  readonly id: string;
  readonly pattern: Record<string, unknown>;
}

type Make = (d: Draw, e: BenchEvent, data: DataSet, i: number) => Record<string, unknown>;

const props = (fields: Record<string, unknown>): Record<string, unknown> => ({
  detail: { properties: fields },
});
const coords = (fields: Record<string, unknown>): Record<string, unknown> => ({
  detail: { geometry: { firstCoordinates: fields } },
});
/** Half the time a value that occurs nowhere: most rules should miss most events. */
const maybeMiss = (d: Draw, value: string): string => (d.chance(0.5) ? `${value}Z` : value);

const MAKERS: Readonly<Record<Family, Make>> = {
  exact: (d, e, data) => {
    const p = e.detail.properties;
    const k = d.random();
    if (k < 0.4)
      return props({
        STREET: [maybeMiss(d, p.STREET)],
        ST_TYPE: [d.pick(data.vocabulary.stTypes)],
      });
    if (k < 0.8) return props({ MAPBLKLOT: [maybeMiss(d, p.MAPBLKLOT)] });
    return {
      source: ['city.lots'],
      ...props({
        BLOCK_NUM: [p.BLOCK_NUM],
        LOT_NUM: [maybeMiss(d, p.LOT_NUM)],
        ODD_EVEN: [p.ODD_EVEN],
      }),
    };
  },
  prefix: (d, e) => {
    const p = e.detail.properties;
    if (d.chance(0.5))
      return props({ MAPBLKLOT: [{ prefix: maybeMiss(d, p.MAPBLKLOT.slice(0, 6)) }] });
    return props({
      STREET: [{ prefix: maybeMiss(d, p.STREET.slice(0, 4 + d.int(3))) }],
      BLOCK_NUM: [{ prefix: p.BLOCK_NUM.slice(0, 3) }],
    });
  },
  suffix: (d, e) => {
    const p = e.detail.properties;
    if (d.chance(0.5))
      return props({ MAPBLKLOT: [{ suffix: maybeMiss(d, p.MAPBLKLOT.slice(-5)) }] });
    return props({
      STREET: [{ suffix: p.STREET.slice(-4) }],
      BLKLOT: [{ suffix: maybeMiss(d, p.BLKLOT.slice(-4)) }],
    });
  },
  'equals-ignore-case': (d, e) => {
    const p = e.detail.properties;
    if (d.chance(0.5))
      return props({
        MAPBLKLOT: [{ 'equals-ignore-case': maybeMiss(d, p.MAPBLKLOT).toLowerCase() }],
      });
    return props({
      STREET: [{ 'equals-ignore-case': p.STREET.toLowerCase() }],
      FROM_ST: [maybeMiss(d, p.FROM_ST)],
    });
  },
  numeric: (d, e) => {
    const { x, y } = e.detail.geometry.firstCoordinates;
    const shift = d.chance(0.5) ? 1e-3 : 0;
    const k = d.random();
    if (k < 0.4)
      return coords({ x: [{ numeric: ['>', x - 5e-6 + shift, '<', x + 5e-6 + shift] }] });
    if (k < 0.7) return coords({ y: [{ numeric: ['=', y + shift] }] });
    return coords({
      x: [{ numeric: ['>=', x - 1e-5, '<=', x + 1e-5] }],
      y: [{ numeric: ['>', y - 1e-5 + shift, '<', y + 1e-5 + shift] }],
    });
  },
  'anything-but': (d, e, data, i) => {
    const p = e.detail.properties;
    // A few rules are anything-but alone (they match nearly every event, as in event-ruler's
    // ANYTHING_BUT set); the rest pair it with a selective field.
    if (i < 5) {
      return [
        props({ STREET: [{ 'anything-but': [p.STREET, d.pick(data.vocabulary.streets)] }] }),
        props({ ST_TYPE: [{ 'anything-but': { prefix: 'A' } }] }),
        props({ MAPBLKLOT: [{ 'anything-but': { suffix: '001' } }] }),
        props({ STREET: [{ 'anything-but': { 'equals-ignore-case': p.STREET.toLowerCase() } }] }),
        props({ LOT_NUM: [{ 'anything-but': { wildcard: '0*1' } }] }),
      ][i]!;
    }
    return props({
      BLOCK_NUM: [maybeMiss(d, p.BLOCK_NUM)],
      STREET: [{ 'anything-but': [d.chance(0.5) ? p.STREET : d.pick(data.vocabulary.streets)] }],
    });
  },
  wildcard: (d, e) => {
    const p = e.detail.properties;
    const k = d.random();
    if (k < 0.4)
      return props({
        MAPBLKLOT: [
          { wildcard: `${p.MAPBLKLOT.slice(0, 4)}*${maybeMiss(d, p.MAPBLKLOT.slice(-1))}` },
        ],
      });
    if (k < 0.7)
      return props({
        STREET: [{ wildcard: `*${p.STREET.slice(-4)}` }],
        BLKLOT: [{ wildcard: `*${maybeMiss(d, p.BLKLOT.slice(-3))}` }],
      });
    return props({ BLKLOT: [{ wildcard: `*${maybeMiss(d, p.BLKLOT.slice(2, 6))}*` }] });
  },
  exists: (d, e, _data, i) => {
    const p = e.detail.properties;
    if (i < 3) {
      return [
        props({ ST_TYPE: [{ exists: false }] }),
        coords({ x: [{ exists: true }] }),
        props({ MAPBLKLOT: [{ exists: true }], ST_TYPE: [{ exists: true }] }),
      ][i]!;
    }
    return props({ MAPBLKLOT: [maybeMiss(d, p.MAPBLKLOT)], ST_TYPE: [{ exists: d.chance(0.5) }] });
  },
  cidr: (d, e) => {
    const ip = e.detail.sourceIPAddress;
    if (ip.includes(':'))
      return {
        detail: {
          sourceIPAddress: [{ cidr: `${ip.split('::')[0]}::/${d.chance(0.5) ? 48 : 64}` }],
        },
      };
    const [a, b, c] = ip.split('.');
    const k = d.random();
    if (k < 0.5)
      return { detail: { sourceIPAddress: [{ cidr: `${a}.${b}.${c}.${d.int(16) * 16}/28` }] } };
    if (k < 0.8)
      return {
        detail: {
          sourceIPAddress: [{ cidr: `${a}.${b}.${c}.0/24` }],
          properties: { ODD_EVEN: [e.detail.properties.ODD_EVEN] },
        },
      };
    return { detail: { sourceIPAddress: [{ cidr: `${ip}/32` }] } };
  },
  $or: (d, e) => {
    const p = e.detail.properties;
    const { x } = e.detail.geometry.firstCoordinates;
    const shift = d.chance(0.5) ? 1e-3 : 0;
    if (d.chance(0.5))
      return {
        detail: {
          $or: [
            { properties: { STREET: [maybeMiss(d, p.STREET)], ODD_EVEN: ['E'] } },
            { properties: { MAPBLKLOT: [maybeMiss(d, p.MAPBLKLOT)] } },
          ],
        },
      };
    return {
      detail: {
        $or: [
          { properties: { MAPBLKLOT: [maybeMiss(d, p.MAPBLKLOT)] } },
          { properties: { BLKLOT: [{ prefix: maybeMiss(d, p.BLKLOT) }] } },
          {
            geometry: {
              firstCoordinates: {
                x: [{ numeric: ['>', x - 1e-6 + shift, '<', x + 1e-6 + shift] }],
              },
            },
          },
        ],
      },
    };
  },
  'array-consistency': (d, e, data) => {
    const h = d.pick(e.detail.history);
    // Half the rules take the action from the same element (match), half from anywhere (mostly miss).
    const action = d.chance(0.5) ? h.action : d.pick(data.vocabulary.actions);
    if (d.chance(0.5)) return { detail: { history: { permit: [h.permit], action: [action] } } };
    return {
      detail: {
        history: {
          permit: [h.permit],
          year: [{ numeric: ['>=', h.year + (d.chance(0.5) ? 0 : 1)] }],
        },
      },
    };
  },
};

/** `count` distinct rules of `family`, drawn from `data`. */
export function generateRules(
  family: Family,
  count: number,
  data: DataSet,
  seed: number,
): BenchRule[] {
  const d = new Draw(prng(seed ^ (FAMILIES.indexOf(family) * 7919)));
  const seen = new Set<string>();
  const rules: BenchRule[] = [];
  for (let attempts = 0; rules.length < count && attempts < count * 50; attempts++) {
    const pattern = MAKERS[family](d, d.pick(data.events), data, rules.length);
    const key = JSON.stringify(pattern);
    if (seen.has(key)) continue;
    seen.add(key);
    rules.push({ id: `${family}-${rules.length}`, pattern });
  }
  return rules;
}
