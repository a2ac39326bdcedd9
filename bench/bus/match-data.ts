/**
 * Synthetic events for the matching benchmark: records shaped like the city-lots GeoJSON
 * features event-ruler benchmarks on (type, properties {MAPBLKLOT, BLKLOT, BLOCK_NUM, LOT_NUM,
 * FROM_ST, TO_ST, STREET, ST_TYPE, ODD_EVEN}, geometry {type, coordinates, firstCoordinates}),
 * each the `detail` of an EventBridge envelope. Two fields are added for operator families the
 * lots cannot exercise: `sourceIPAddress` (cidr) and `history`, an array of objects (array
 * consistency). Everything comes from a seeded PRNG: the same seed gives the same events.
 */

import { prng } from '../../src/testing/prng.js';

export { prng };

/** Picking helpers over one PRNG. */
export class Draw {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

const SYLLABLES = [
  'MA',
  'SON',
  'FUL',
  'TON',
  'GEA',
  'RY',
  'MIS',
  'SION',
  'VAL',
  'EN',
  'CIA',
  'PO',
  'TRE',
  'RO',
  'HAR',
  'RI',
  'SON',
  'DE',
  'LA',
  'NO',
  'KE',
  'AR',
  'NY',
  'BUSH',
  'PINE',
  'OAK',
  'ELM',
  'CLAY',
  'JACK',
];
const ST_TYPES = ['ST', 'AVE', 'BLVD', 'WAY', 'TER', 'DR', 'CT', 'PL', 'LN', 'HWY'];
const ACTIONS = ['SPLIT', 'MERGE', 'RESURVEY', 'REZONE', 'TRANSFER', 'DEMOLISH', 'BUILD'];

/** The vocabulary events are drawn from, shared with the rule generator (so rules can hit or miss). */
export interface Vocabulary {
  readonly streets: readonly string[];
  readonly stTypes: readonly string[];
  readonly actions: readonly string[];
}

/** One benchmark event: the envelope with a city-lot feature as `detail`. */
export type BenchEvent = Record<string, unknown> & { detail: Lot };

/** The feature (plus the two added fields). */
export interface Lot {
  type: 'Feature';
  properties: {
    MAPBLKLOT: string;
    BLKLOT: string;
    BLOCK_NUM: string;
    LOT_NUM: string;
    FROM_ST: string;
    TO_ST: string;
    STREET: string;
    ST_TYPE?: string | null;
    ODD_EVEN: 'E' | 'O';
  };
  geometry: {
    type: 'Polygon';
    coordinates: number[][][];
    firstCoordinates: { x: number; y: number };
  };
  sourceIPAddress: string;
  history: { year: number; action: string; permit: string }[];
}

/** The generated data set. */
export interface DataSet {
  readonly vocabulary: Vocabulary;
  readonly events: readonly BenchEvent[];
  /** The same events as JSON text. */
  readonly texts: readonly string[];
  /** Mean JSON size, bytes (UTF-16 code units; the text is ASCII). */
  readonly meanBytes: number;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function streetNames(d: Draw, count: number): string[] {
  const names = new Set<string>();
  while (names.size < count) {
    const parts = 1 + d.int(3);
    let name = '';
    for (let i = 0; i < parts; i++) name += d.pick(SYLLABLES);
    if (d.chance(0.1)) name = `${pad(1 + d.int(48), 2)}TH`;
    names.add(name);
  }
  return [...names];
}

function lot(d: Draw, v: Vocabulary): Lot {
  const block = 1 + d.int(7000);
  const lotNum = 1 + d.int(200);
  const mapblklot = `${pad(block, 4)}${pad(lotNum, 3)}`;
  const x0 = -122.52 + d.random() * 0.17;
  const y0 = 37.7 + d.random() * 0.13;
  const ring: number[][] = [];
  const points = 4 + d.int(5);
  for (let p = 0; p < points; p++)
    ring.push([x0 + (d.random() - 0.5) * 1e-3, y0 + (d.random() - 0.5) * 1e-3, 0]);
  ring.push([...ring[0]!]);
  const from = d.int(4000);
  const properties: Lot['properties'] = {
    MAPBLKLOT: mapblklot,
    BLKLOT: mapblklot,
    BLOCK_NUM: pad(block, 4),
    LOT_NUM: pad(lotNum, 3),
    FROM_ST: String(from),
    TO_ST: String(from + 2 * d.int(30)),
    STREET: d.pick(v.streets),
    ODD_EVEN: from % 2 ? 'O' : 'E',
  };
  // ST_TYPE is null on some real lots and missing on others.
  const st = d.random();
  if (st < 0.85) properties.ST_TYPE = d.pick(v.stTypes);
  else if (st < 0.93) properties.ST_TYPE = null;
  const ip = d.chance(0.9)
    ? `10.${d.int(16)}.${d.int(256)}.${d.int(256)}`
    : `2001:db8:${d.int(16).toString(16)}::${(1 + d.int(0xfff)).toString(16)}`;
  const history = Array.from({ length: 1 + d.int(4) }, () => ({
    year: 1950 + d.int(75),
    action: d.pick(v.actions),
    permit: `P${pad(d.int(100_000), 5)}`,
  }));
  return {
    type: 'Feature',
    properties,
    geometry: {
      type: 'Polygon',
      coordinates: [ring],
      firstCoordinates: { x: ring[0]![0]!, y: ring[0]![1]! },
    },
    sourceIPAddress: ip,
    history,
  };
}

/** Generates `count` events from `seed`. */
export function generateData(count: number, seed: number): DataSet {
  const d = new Draw(prng(seed));
  const vocabulary: Vocabulary = {
    streets: streetNames(d, 1500),
    stTypes: ST_TYPES,
    actions: ACTIONS,
  };
  const events: BenchEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push({
      version: '0',
      id: `${pad(i, 8)}-0000-4000-8000-${pad(d.int(1e9), 12)}`,
      'detail-type': d.chance(0.9) ? 'Lot Updated' : 'Lot Created',
      source: 'city.lots',
      account: '123456789012',
      time: `2026-0${1 + d.int(9)}-1${d.int(10)}T1${d.int(10)}:${pad(d.int(60), 2)}:00Z`,
      region: 'us-west-2',
      resources: [`arn:aws:geo:us-west-2:123456789012:lot/${i}`],
      detail: lot(d, vocabulary),
    });
  }
  const texts = events.map((e) => JSON.stringify(e));
  const meanBytes = texts.reduce((n, t) => n + t.length, 0) / texts.length;
  return { vocabulary, events, texts, meanBytes };
}
