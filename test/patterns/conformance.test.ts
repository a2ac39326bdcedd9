import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { InvalidPatternError, PatternMatcher, testEventPattern } from '../../src/patterns/index.js';
import { awsCases, rawEventText, rulerCases } from './vectors.js';

/** The rule under test shares the matcher with unrelated rules on the same and other paths. */
function crowdedMatcher(): PatternMatcher {
  const m = new PatternMatcher();
  for (let i = 0; i < 40; i++) {
    m.add(`noise-exact-${i}`, { source: [`noise-${i}`], detail: { state: [`state-${i}`] } });
    m.add(`noise-prefix-${i}`, {
      detail: { FileName: [{ prefix: `zz-${i}` }], state: [{ suffix: `-q${i}` }] },
    });
    m.add(`noise-numeric-${i}`, {
      detail: { 'c-count': [{ numeric: ['>', 1000 + i, '<', 1001 + i] }] },
      number: [{ numeric: ['=', -i - 1] }],
    });
    m.add(`noise-ab-${i}`, {
      'detail-type': [`never-${i}`],
      detail: { state: [{ 'anything-but': 'x' }] },
    });
  }
  return m;
}

function matcherAnswer(m: PatternMatcher, pattern: object | string, event: unknown): boolean {
  m.add('under-test', pattern);
  try {
    return m.match(event).includes('under-test');
  } finally {
    m.remove('under-test');
  }
}

describe('AWS-validated vectors (LocalStack templates checked against TestEventPattern)', () => {
  it(`has all ${awsCases.count} cases`, () => {
    expect(awsCases.cases).toHaveLength(awsCases.count);
  });

  it('number_comparison_float runs on the raw text 300.0 that AWS saw', () => {
    const c = awsCases.cases.find((x) => x.name === 'number_comparison_float')!;
    expect(rawEventText(c)).toContain('"number":300.0');
  });

  const matcher = crowdedMatcher();
  const noise = matcher.size;
  for (const c of awsCases.cases) {
    if (c.expected === 'error') {
      it(`${c.name}: rejected with AWS's reason`, () => {
        const reason = c.awsError!.split('Reason: ')[1];
        let error: unknown;
        try {
          testEventPattern(c.pattern, c.event);
        } catch (e) {
          error = e;
        }
        expect(isBallastError(error) && error.code).toBe('InvalidEventPatternException');
        expect((error as InvalidPatternError).reason).toBe(reason);
        expect((error as Error).message).toContain(`Event pattern is not valid. Reason: ${reason}`);
        expect(() => matcher.add('under-test', c.pattern)).toThrow(InvalidPatternError);
        expect(matcher.has('under-test')).toBe(false);
      });
    } else {
      it(`${c.name}: ${c.expected} (object, JSON text and compiled matcher agree)`, () => {
        const want = c.expected === 'match';
        expect(testEventPattern(c.pattern, c.event)).toBe(want);
        expect(testEventPattern(JSON.stringify(c.pattern), rawEventText(c))).toBe(want);
        expect(matcherAnswer(matcher, c.pattern, c.event)).toBe(want);
        expect(matcherAnswer(matcher, JSON.stringify(c.pattern), rawEventText(c))).toBe(want);
        expect(matcher.size).toBe(noise);
      });
    }
  }
});

describe('event-ruler vectors (array-consistent matching)', () => {
  it(`has all ${rulerCases.count} cases`, () => {
    expect(rulerCases.cases).toHaveLength(rulerCases.count);
  });

  const matcher = crowdedMatcher();
  rulerCases.cases.forEach((c, i) => {
    const pattern = c.patternRaw ?? c.pattern!;
    it(`#${i} ${c.op}: ${c.shouldMatch ? 'match' : 'no match'} (${c.src.split('#')[1] ?? c.src})`, () => {
      expect(testEventPattern(pattern, c.event, { requireEnvelope: false })).toBe(c.shouldMatch);
      expect(testEventPattern(pattern, JSON.stringify(c.event), { requireEnvelope: false })).toBe(
        c.shouldMatch,
      );
      expect(matcherAnswer(matcher, pattern, c.event)).toBe(c.shouldMatch);
    });
  });
});
