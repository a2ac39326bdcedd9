/** Seeded random patterns and events over a small vocabulary, for differential tests. */

import { prng } from '../../src/testing/prng.js';

export { prng };

const STRINGS = [
  'alpha',
  'Alpha',
  'alphabet',
  'beta',
  'gamma.png',
  'GAMMA.PNG',
  '',
  'null',
  '10.0.0.7',
  '10.1.2.3',
  '2001:db8::1',
  'dir/a/b.txt',
];
const NUMBERS = [0, 1, 2.5, 10, -3, 300, 1e9];
const PATHS = [['a'], ['b'], ['d', 'x'], ['d', 'y'], ['list', 'k'], ['list', 'v']];

export class Gen {
  constructor(private readonly r: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }

  leaf(): unknown {
    const x = this.r();
    if (x < 0.55) return this.pick(STRINGS);
    if (x < 0.85) return this.pick(NUMBERS);
    if (x < 0.95) return this.pick([true, false]);
    return null;
  }

  /** One entry of a field's array, any operator. */
  matcher(): unknown {
    const s = this.pick(STRINGS);
    const n = this.pick(NUMBERS);
    switch (Math.floor(this.r() * 16)) {
      case 0:
        return { prefix: s.slice(0, 1 + Math.floor(this.r() * 3)) };
      case 1:
        return { suffix: s.slice(-2) };
      case 2:
        return { 'equals-ignore-case': s };
      case 3:
        return { prefix: { 'equals-ignore-case': s.slice(0, 3) } };
      case 4:
        return { suffix: { 'equals-ignore-case': s.slice(-3) } };
      case 5:
        return {
          numeric: this.pick([
            ['>', n],
            ['<=', n],
            ['>=', n, '<', n + 5],
            ['=', n],
          ]),
        };
      case 6:
        return { exists: this.r() < 0.5 };
      case 7:
        return {
          'anything-but': this.pick<unknown>([
            s,
            n,
            [s, 'beta'],
            { prefix: 'al' },
            { suffix: '.png' },
            { 'equals-ignore-case': 'ALPHA' },
            { wildcard: '*a*' },
          ]),
        };
      case 8:
        return { cidr: this.pick(['10.0.0.0/24', '10.0.0.0/8', '2001:db8::/32']) };
      case 9:
        return {
          wildcard: this.pick([
            'al*',
            '*.png',
            '*ph*',
            '*lpha*',
            '*e*',
            '*',
            'dir/*/b.txt',
            'a*b*t',
            'beta',
          ]),
        };
      default:
        return this.leaf();
    }
  }

  /** A pattern naming 1–3 paths, sometimes with `$or`. */
  pattern(): Record<string, unknown> {
    const build = (): Record<string, unknown> => {
      const p: Record<string, unknown> = {};
      const fields = 1 + Math.floor(this.r() * 3);
      for (let i = 0; i < fields; i++) {
        const path = this.pick(PATHS);
        const values = Array.from({ length: 1 + Math.floor(this.r() * 2) }, () => this.matcher());
        let node = p;
        for (const seg of path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
        node[path.at(-1)!] = values;
      }
      return p;
    };
    const p = build();
    if (this.r() < 0.2) p.$or = [build(), build()];
    return p;
  }

  /** An event with some of the paths, arrays of objects under `list`, scalar arrays elsewhere. */
  event(): Record<string, unknown> {
    const value = (): unknown =>
      this.r() < 0.2 ? [this.leaf(), this.leaf()] : this.r() < 0.1 ? { nested: 1 } : this.leaf();
    const e: Record<string, unknown> = {};
    if (this.r() < 0.8) e.a = value();
    if (this.r() < 0.6) e.b = value();
    if (this.r() < 0.7) e.d = { x: value(), ...(this.r() < 0.6 ? { y: value() } : {}) };
    if (this.r() < 0.15) e['d.x'] = value();
    if (this.r() < 0.6) {
      e.list = Array.from({ length: Math.floor(this.r() * 4) }, () => {
        const o: Record<string, unknown> = {};
        if (this.r() < 0.8) o.k = value();
        if (this.r() < 0.7) o.v = value();
        return o;
      });
    }
    return e;
  }
}
