import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  type ParsedPattern,
  PatternMatcher,
  testEventPattern,
  validateEventPattern,
} from '../../src/patterns/index.js';
import { Gen, prng } from './random.js';

const envelope = {
  id: '1',
  account: '123456789012',
  source: 'app',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  'detail-type': 't',
};

describe('PatternMatcher: rules in, matching rule ids out', () => {
  it('returns the ids of every matching rule, in the order the rules were added', () => {
    const m = new PatternMatcher();
    m.add('by-prefix', { source: [{ prefix: 'app' }] });
    m.add('exact', { source: ['app'], detail: { n: [{ numeric: ['>', 5] }] } });
    m.add('other', { source: ['billing'] });
    expect(m.match({ ...envelope, detail: { n: 6 } })).toEqual(['by-prefix', 'exact']);
    expect(m.match({ ...envelope, detail: { n: 5 } })).toEqual(['by-prefix']);
    expect(m.match(JSON.stringify({ ...envelope, source: 'billing' }))).toEqual(['other']);
  });

  it('add replaces a rule of the same id; remove takes it out; has and size follow', () => {
    const m = new PatternMatcher();
    m.add('r', { source: ['a'] });
    expect(m.match({ source: 'a' })).toEqual(['r']);
    m.add('r', { source: ['b'] });
    expect(m.size).toBe(1);
    expect(m.match({ source: 'a' })).toEqual([]);
    expect(m.match({ source: 'b' })).toEqual(['r']);
    expect(m.remove('r')).toBe(true);
    expect(m.remove('r')).toBe(false);
    expect(m.has('r')).toBe(false);
    expect(m.size).toBe(0);
    expect(m.match({ source: 'b' })).toEqual([]);
  });

  it('an invalid pattern is rejected and leaves the existing rule in place', () => {
    const m = new PatternMatcher();
    m.add('r', { source: ['a'] });
    expect(() => m.add('r', { source: [] })).toThrow(/Empty arrays are not allowed/);
    expect(m.match({ source: 'a' })).toEqual(['r']);
  });

  it('accepts a ParsedPattern from validateEventPattern', () => {
    const m = new PatternMatcher();
    m.add('r', validateEventPattern('{"detail":{"x":[{"wildcard":"a*z"}]}}'));
    expect(m.match({ detail: { x: 'abcz' } })).toEqual(['r']);
  });

  it('a rule whose fields may all be absent (exists:false only) is checked for every event', () => {
    const m = new PatternMatcher();
    m.add('no-x', { detail: { x: [{ exists: false }] } });
    m.add('x-not-roses', { detail: { x: [{ 'anything-but': 'roses' }, { exists: false }] } });
    expect(m.match({ detail: {} })).toEqual(['no-x', 'x-not-roses']);
    expect(m.match({ detail: { x: 'tulips' } })).toEqual(['x-not-roses']);
    expect(m.match({ detail: { x: 'roses' } })).toEqual([]);
    m.remove('no-x');
    expect(m.match({ detail: {} })).toEqual(['x-not-roses']);
  });

  it('a rule matches once even when several $or combinations and array elements match', () => {
    const m = new PatternMatcher();
    m.add('r', { $or: [{ a: ['x'] }, { b: ['y'] }] });
    expect(m.match({ a: ['x', 'x'], b: 'y' })).toEqual(['r']);
  });

  it('rejects events that are not JSON objects', () => {
    const m = new PatternMatcher();
    m.add('r', { a: ['x'] });
    for (const bad of ['not json', '[1]', 'null', 42]) {
      let code = '';
      try {
        m.match(bad);
      } catch (e) {
        code = isBallastError(e) ? e.code : 'other';
      }
      expect(code).toBe('ValidationException');
    }
  });

  it('explain(id, event) explains one loaded rule', () => {
    const m = new PatternMatcher();
    m.add('r', { detail: { state: ['running'] } });
    const ex = m.explain('r', { detail: { state: 'stopped' } });
    expect(ex.matches).toBe(false);
    expect(ex.reasons[0]).toContain('detail.state');
    expect(() => m.explain('missing', {})).toThrow(/No rule/);
  });
});

describe('cost per event follows matches, not rule count', () => {
  it('1,000 rules sharing a common value are re-anchored on their selective field', () => {
    const m = new PatternMatcher();
    for (let i = 0; i < 1000; i++)
      m.add(`r${i}`, { source: ['app'], detail: { parity: ['E'], lot: [`L${i}`] } });
    for (let i = 0; i < 100; i++)
      expect(m.match({ source: 'app', detail: { parity: 'E', lot: `L${i * 7}` } })).toEqual([
        `r${i * 7}`,
      ]);
    // Each event made (about) one candidate, not a thousand.
    expect(m.stats.candidates / m.stats.events).toBeLessThan(4);
    expect(m.stats.matches).toBe(100);
  });

  it('rules that match nothing add no candidates', () => {
    const m = new PatternMatcher();
    for (let i = 0; i < 5000; i++)
      m.add(`r${i}`, { detail: { id: [`never-${i}`], n: [{ numeric: ['>', i] }] } });
    for (let i = 0; i < 100; i++)
      expect(m.match({ detail: { id: `x${i}`, n: 10_000 } })).toEqual([]);
    expect(m.stats.candidates).toBe(0);
  });

  it('rules whose every field may be absent are the only ones verified for every event', () => {
    const m = new PatternMatcher();
    m.add('absent', { detail: { x: [{ exists: false }] } });
    for (let i = 0; i < 100; i++) m.add(`r${i}`, { detail: { id: [`id-${i}`] } });
    for (let i = 0; i < 10; i++) m.match({ detail: { id: 'other' } });
    expect(m.stats.candidates).toBe(10);
    expect(m.stats.matches).toBe(10);
  });
});

describe('the compiled matcher agrees with the direct evaluator (seeded random rules and events)', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 300 rules × 300 events, then after removing every third rule`, () => {
      const gen = new Gen(prng(seed));
      const rules = new Map<string, ParsedPattern>();
      const m = new PatternMatcher();
      for (let i = 0; i < 300; i++) {
        const pattern = gen.pattern();
        rules.set(`r${i}`, validateEventPattern(pattern));
        m.add(`r${i}`, pattern);
      }
      const events = Array.from({ length: 300 }, () => gen.event());
      const compare = (): number => {
        let matches = 0;
        for (const event of events) {
          const want = [...rules]
            .filter(([, p]) => testEventPattern(p, event, { requireEnvelope: false }))
            .map(([id]) => id);
          const got = m.match(event);
          expect(got, JSON.stringify(event)).toEqual(want);
          expect(m.match(JSON.stringify(event))).toEqual(want);
          matches += got.length;
        }
        return matches;
      };
      const before = compare();
      for (let i = 0; i < 300; i += 3) {
        m.remove(`r${i}`);
        rules.delete(`r${i}`);
      }
      const after = compare();
      // The generator is meant to produce both outcomes; a run with no matches would test little.
      expect(before).toBeGreaterThan(300);
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThan(before);
    });
  }

  it('removing every rule leaves an empty matcher that matches nothing', () => {
    const gen = new Gen(prng(9));
    const m = new PatternMatcher();
    for (let i = 0; i < 100; i++) m.add(`r${i}`, gen.pattern());
    for (let i = 0; i < 100; i++) expect(m.remove(`r${i}`)).toBe(true);
    expect(m.size).toBe(0);
    for (let i = 0; i < 50; i++) expect(m.match(gen.event())).toEqual([]);
  });
});
