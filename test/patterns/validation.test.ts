import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  DEFAULT_PATTERN_LIMITS,
  InvalidPatternError,
  resolvePatternLimits,
  validateEventPattern,
} from '../../src/patterns/index.js';

/** The error a pattern is rejected with. */
function rejection(
  pattern: string | object,
  limits?: Parameters<typeof validateEventPattern>[1],
): InvalidPatternError {
  try {
    validateEventPattern(pattern, limits);
  } catch (e) {
    if (e instanceof InvalidPatternError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(pattern)}`);
}

describe('invalid patterns say what is wrong and where', () => {
  const cases: [string, object | string, string, string][] = [
    [
      'a leaf that is not an array',
      { detail: { state: 'running' } },
      '"state" must be an object or an array',
      '$.detail.state',
    ],
    ['an empty array', { resources: [] }, 'Empty arrays are not allowed', '$.resources'],
    ['an empty object', { detail: {} }, 'Empty objects are not allowed', '$.detail'],
    [
      'an operator with a capital letter',
      { a: ['x', { EXISTS: true }] },
      'Unrecognized match type EXISTS',
      '$.a[1].EXISTS',
    ],
    [
      'two keys in one operator',
      { a: [{ prefix: 'x', suffix: 'y' }] },
      'Only one key allowed in match expression',
      '$.a[0]',
    ],
    [
      'numeric not an array',
      { d: { 'c-count': [{ numeric: 10 }] } },
      'Value of numeric must be an array.',
      '$.d["c-count"][0].numeric',
    ],
    [
      'two lower bounds',
      { n: [{ numeric: ['>', 0, '>', 0] }] },
      'Bad numeric range operator: >',
      '$.n[0].numeric[2]',
    ],
    [
      'an upper bound with no value',
      { n: [{ numeric: ['>', 0, '<'] }] },
      'Value of < must be numeric',
      '$.n[0].numeric[3]',
    ],
    [
      'an empty range',
      { n: [{ numeric: ['>', 5, '<', 5] }] },
      'Bottom must be less than top',
      '$.n[0].numeric',
    ],
    [
      'an unknown numeric operator',
      { n: [{ numeric: ['!=', 5] }] },
      'Unrecognized numeric range operator: !=',
      '$.n[0].numeric[0]',
    ],
    [
      'a prefix that is a list',
      { t: [{ prefix: ['x'] }] },
      'prefix match pattern must be a string',
      '$.t[0].prefix',
    ],
    [
      'a cidr that is a list (AWS words it as prefix)',
      { ip: [{ cidr: ['x'] }] },
      'prefix match pattern must be a string',
      '$.ip[0].cidr',
    ],
    [
      'a cidr without a mask',
      { ip: [{ cidr: '10.0.0.1' }] },
      "Malformed CIDR, one '/' required",
      '$.ip[0].cidr',
    ],
    [
      'a cidr mask out of range',
      { ip: [{ cidr: '10.0.0.1/33' }] },
      'Malformed CIDR, mask bits must be between 0 and 32',
      '$.ip[0].cidr',
    ],
    [
      'exists not a boolean',
      { x: [{ exists: 'yes' }] },
      'exists match pattern must be either true or false.',
      '$.x[0].exists',
    ],
    [
      'anything-but null',
      { s: [{ 'anything-but': null }] },
      'Value of anything-but must be an array or single string/number value.',
      '$.s[0]["anything-but"]',
    ],
    [
      'anything-but list with null',
      { s: [{ 'anything-but': ['a', null] }] },
      'Inside anything but list, start|null|boolean is not supported.',
      '$.s[0]["anything-but"][1]',
    ],
    [
      'anything-but list mixing types',
      { s: [{ 'anything-but': ['a', 1] }] },
      'Inside anything but list, values must be all strings or all numbers',
      '$.s[0]["anything-but"]',
    ],
    [
      'anything-but empty prefix',
      { s: [{ 'anything-but': { prefix: '' } }] },
      'Null prefix/suffix not allowed',
      '$.s[0]["anything-but"].prefix',
    ],
    [
      'anything-but prefix ignoring case',
      { s: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'x' } } }] },
      'Value of anything-but must be an array or single string/number value.',
      '$.s[0]["anything-but"].prefix',
    ],
    [
      'anything-but numeric',
      { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'Unsupported anything-but pattern: numeric',
      '$.s[0]["anything-but"].numeric',
    ],
    [
      'consecutive stars',
      { w: [{ wildcard: 'a**' }] },
      'Consecutive wildcard characters at pos 2',
      '$.w[0].wildcard',
    ],
    [
      'an unknown escape',
      { w: [{ wildcard: 'a\\b' }] },
      'Invalid escape character at pos 1',
      '$.w[0].wildcard',
    ],
    [
      'a nested array as a value',
      { x: [['a']] },
      'Match values must be strings, numbers, booleans, null or operator objects',
      '$.x[0]',
    ],
    [
      '$or with one branch',
      { $or: [{ a: ['x'] }] },
      '$or must be an array of at least two objects',
      '$["$or"]',
    ],
    [
      '$or of values',
      { d: { $or: ['a', 'b'] } },
      '$or must be an array of at least two objects',
      '$.d["$or"]',
    ],
    [
      'a bad field inside $or',
      { $or: [{ a: ['x'] }, { b: 'y' }] },
      '"b" must be an object or an array',
      '$["$or"][1].b',
    ],
    ['a pattern that is an array', '["a"]', 'Event pattern must be a JSON object', '$'],
  ];
  for (const [what, pattern, reason, location] of cases) {
    it(`${what}: "${reason}" at ${location}`, () => {
      const e = rejection(pattern);
      expect(e.reason).toBe(reason);
      expect(e.location).toBe(location);
      expect(e.message).toBe(`Event pattern is not valid. Reason: ${reason} (at ${location})`);
      expect(isBallastError(e) && e.code).toBe('InvalidEventPatternException');
      expect(e.shape.status).toBe(400);
    });
  }

  it('text that is not JSON is rejected with the parser message', () => {
    const e = rejection('{"a": [1,}');
    expect(e.reason).toMatch(/^Pattern is not valid JSON: /);
    expect(e.location).toBe('$');
  });

  it('duplicate keys in pattern text: the last one wins', () => {
    const p = validateEventPattern('{"x":["y"],"x":["z"]}');
    expect(p.branches).toHaveLength(1);
    expect(p.branches[0]!.conditions.map((c) => c.written)).toEqual(['["z"]']);
  });

  it('dotted keys and nested keys name the same path', () => {
    const a = validateEventPattern({ detail: { 'state.status': ['x'] } });
    const b = validateEventPattern({ detail: { state: { status: ['x'] } } });
    expect(a.branches[0]!.conditions[0]!.path).toBe('detail.state.status');
    expect(b.branches[0]!.conditions[0]!.path).toBe('detail.state.status');
  });

  it('$or expands into combinations, each recording the entries it took', () => {
    const p = validateEventPattern({
      a: ['1'],
      $or: [{ b: ['2'] }, { c: ['3'], $or: [{ d: ['4'] }, { e: ['5'] }] }],
    });
    expect(p.branches.map((b) => b.conditions.map((c) => c.path).join('+'))).toEqual([
      'a+b',
      'a+c+d',
      'a+c+e',
    ]);
    expect(p.branches[2]!.choices).toEqual(['$["$or"][1]', '$["$or"][1]["$or"][1]']);
  });
});

describe('limits are enforced, documented by their defaults, and configurable', () => {
  it('defaults: 4,096 characters, 1,000 $or combinations, depth 64, 1,000 values, wildcard complexity 10, event depth 1,000', () => {
    expect(DEFAULT_PATTERN_LIMITS).toEqual({
      maxPatternLength: 4096,
      maxOrCombinations: 1000,
      maxPatternDepth: 64,
      maxValuesPerField: 1000,
      maxWildcardComplexity: 10,
      maxEventDepth: 1000,
    });
  });

  it('pattern length: text and objects are measured as JSON text', () => {
    const long = { a: ['x'.repeat(4100)] };
    expect(rejection(long).reason).toBe(
      `Event pattern is ${JSON.stringify(long).length} characters long; the limit is 4096`,
    );
    expect(
      rejection(JSON.stringify({ a: ['x'.repeat(60)] }), { maxPatternLength: 50 }).reason,
    ).toMatch(/limit is 50$/);
    expect(validateEventPattern(long, { maxPatternLength: 10_000 }).branches).toHaveLength(1);
  });

  it('$or combinations: the product of nested $or sizes is counted before expanding', () => {
    const or10 = (k: string) => ({
      $or: Array.from({ length: 10 }, (_, i) => ({ [`${k}${i}`]: ['x'] })),
    });
    const thousand = { a: or10('a'), b: or10('b'), c: or10('c') };
    expect(validateEventPattern(thousand).branches).toHaveLength(1000);
    const tooMany = { ...thousand, d: { $or: [{ x: ['1'] }, { y: ['2'] }] } };
    expect(rejection(tooMany, { maxPatternLength: 100_000 }).reason).toBe(
      '$or expands to more than 1000 combinations',
    );
    expect(
      validateEventPattern(tooMany, { maxOrCombinations: 2000, maxPatternLength: 100_000 })
        .branches,
    ).toHaveLength(2000);
  });

  it('nesting depth', () => {
    let deep: object = { leaf: ['x'] };
    for (let i = 0; i < 70; i++) deep = { n: deep };
    expect(rejection(deep).reason).toBe('Pattern nests deeper than 64 levels');
    expect(
      validateEventPattern(deep, { maxPatternDepth: 100 }).branches[0]!.conditions[0]!.segments,
    ).toHaveLength(71);
  });

  it('values per field, including anything-but lists', () => {
    const many = Array.from({ length: 11 }, (_, i) => `v${i}`);
    expect(rejection({ a: many }, { maxValuesPerField: 10 }).reason).toBe(
      'Too many values in one field (11); the limit is 10',
    );
    expect(rejection({ a: [{ 'anything-but': many }] }, { maxValuesPerField: 10 }).reason).toBe(
      'Too many values (11); the limit is 10',
    );
  });

  it('wildcard complexity: AWS rejects *:*:*:*:*:event-bus/* and accepts the repeating /Users/* vector', () => {
    expect(rejection({ a: [{ wildcard: '*:*:*:*:*:event-bus/*' }] }).reason).toMatch(
      /^Rule is too complex/,
    );
    expect(
      validateEventPattern({ a: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] }).branches,
    ).toHaveLength(1);
    expect(
      validateEventPattern(
        { a: [{ wildcard: '*:*:*:*:*:event-bus/*' }] },
        { maxWildcardComplexity: 13 },
      ).branches,
    ).toHaveLength(1);
  });

  it('wildcard complexity counts the positions a match can have active at once', () => {
    const complexity = (w: string): number => {
      const m = validateEventPattern({ a: [{ wildcard: w }] }, { maxWildcardComplexity: 1000 })
        .branches[0]!.conditions[0]!.matchers[0]!;
      return m.kind === 'wildcard' ? m.wildcard.complexity : -1;
    };
    expect(complexity('no-star')).toBe(1);
    expect(complexity('*/dir/*')).toBe(5);
    expect(complexity('arn:aws:events:us-east-1:*:event-bus/*')).toBe(5);
    expect(complexity('/Users/*/dir/dir/dir/dir/dir/doc.txt')).toBe(8);
    expect(complexity('*:*:*:*:*:event-bus/*')).toBe(13);
  });

  it('a limit that is not a positive integer is refused', () => {
    expect(() => resolvePatternLimits({ maxOrCombinations: 0 })).toThrow(/positive integer/);
    expect(() => resolvePatternLimits({ maxPatternLength: 1.5 })).toThrow(/positive integer/);
  });
});
