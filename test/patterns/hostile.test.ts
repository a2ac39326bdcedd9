/**
 * Hostile patterns and events are rejected or answered; each test asserts the answer (bounded
 * time shows as the suite finishing within its timeout, not as a speed assertion).
 */
import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  explainEventPattern,
  InvalidPatternError,
  PatternMatcher,
  testEventPattern,
  validateEventPattern,
} from '../../src/patterns/index.js';

const bare = { requireEnvelope: false };

function reason(
  pattern: string | object,
  limits?: Parameters<typeof validateEventPattern>[1],
): string {
  try {
    validateEventPattern(pattern, limits);
    return 'accepted';
  } catch (e) {
    return e instanceof InvalidPatternError ? e.reason : String(e);
  }
}

describe('hostile patterns', () => {
  it('megabytes of pattern text are refused before parsing', () => {
    expect(reason(`{"a":["${'x'.repeat(5_000_000)}"]}`)).toMatch(
      /characters long; the limit is 4096$/,
    );
  });

  it('deep nesting is refused, even with the length limit lifted', () => {
    const text = `${'{"a":'.repeat(5000)}["x"]${'}'.repeat(5000)}`;
    expect(reason(text, { maxPatternLength: 1e6 })).toBe('Pattern nests deeper than 64 levels');
  });

  it('an $or explosion (2^40 combinations) is counted, not expanded', () => {
    let p: object = { x: ['1'] };
    for (let i = 0; i < 40; i++) p = { $or: [{ [`a${i}`]: ['1'] }, { [`b${i}`]: ['2'] }], n: p };
    expect(reason(p, { maxPatternLength: 1e6, maxPatternDepth: 1000 })).toBe(
      '$or expands to more than 1000 combinations',
    );
  });

  it('huge value arrays are refused', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i);
    expect(reason({ a: values }, { maxPatternLength: 1e7 })).toBe(
      'Too many values in one field (100000); the limit is 1000',
    );
  });

  it('star-heavy wildcards are too complex; a 4,000-star wildcard is refused without working through it', () => {
    expect(reason({ a: [{ wildcard: '*a*a*a*a*a*a*' }] })).toMatch(/^Rule is too complex/);
    expect(reason({ a: [{ wildcard: '*a'.repeat(4000) }] }, { maxPatternLength: 1e5 })).toMatch(
      /^Rule is too complex/,
    );
    expect(reason({ a: [{ wildcard: `*${'ab'.repeat(20)}` }] })).toMatch(/^Rule is too complex/);
  });
});

describe('hostile events', () => {
  it('wildcard matching does not backtrack: long near-misses answer false', () => {
    const value = 'a'.repeat(200_000);
    expect(testEventPattern({ s: [{ wildcard: '*aaaab' }] }, { s: value }, bare)).toBe(false);
    expect(testEventPattern({ s: [{ wildcard: 'a*aab*a' }] }, { s: value }, bare)).toBe(false);
    expect(testEventPattern({ s: [{ wildcard: 'a*a' }] }, { s: value }, bare)).toBe(true);
  });

  it('arrays nested deeper than maxEventDepth where a pattern looks are refused', () => {
    const nest = (levels: number): unknown => {
      let v: unknown = { b: 'x' };
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    // Within the default 1,000 levels: matched, scopes and all.
    expect(testEventPattern({ a: { b: ['x'] } }, { a: nest(990) }, bare)).toBe(true);
    const deep = nest(5000);
    let code = '';
    try {
      testEventPattern({ a: { b: ['x'] } }, { a: deep }, bare);
    } catch (e) {
      code = isBallastError(e) ? e.code : 'other';
    }
    expect(code).toBe('ValidationException');
    expect(() =>
      testEventPattern(
        { a: { b: ['x'] } },
        { a: nest(200) },
        { ...bare, limits: { maxEventDepth: 100 } },
      ),
    ).toThrow(/nested deeper than 100 levels at a/);
  });

  it('deep nesting where no pattern looks costs nothing and is not an error', () => {
    let deep = '"x"';
    for (let i = 0; i < 20_000; i++) deep = `[${deep}]`;
    const m = new PatternMatcher();
    m.add('r', { a: ['x'] });
    expect(m.match(`{"a":"x","junk":${deep}}`)).toEqual(['r']);
  });

  it('a 100,000-element array of objects is matched with array consistency', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ k: `k${i % 1000}`, v: i }));
    const m = new PatternMatcher();
    m.add('pair', { items: { k: ['k999'], v: [99_999] } });
    m.add('split', { items: { k: ['k0'], v: [99_999] } });
    expect(m.match({ items })).toEqual(['pair']);
  });

  it('an event spelling paths both dotted and nested inside arrays is answered within the search budget', () => {
    const conds: Record<string, unknown> = {};
    const inA: Record<string, unknown>[] = [{}, {}];
    const inB: Record<string, unknown>[] = [{}, {}];
    for (let i = 0; i < 24; i++) {
      conds[`g${i}`] = ['1'];
      // Each field is in some element of both arrays, but no element of either holds them all.
      inA[i % 2]![`g${i}`] = '1';
      inB[Math.floor(i / 12)]![`g${i}`] = '1';
    }
    const pattern = { a: { f: conds } };
    const event = { a: inA.map((o) => ({ f: o })), 'a.f': inB };
    expect(testEventPattern(pattern, event, bare)).toBe(false);
    const ex = explainEventPattern(pattern, event, bare);
    expect(ex.matches).toBe(false);
    expect(ex.reasons.join('\n')).toMatch(/undecided|array consistency/);
  });
});
