import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { PatternMatcher, testEventPattern } from '../../src/patterns/index.js';

const bare = { requireEnvelope: false };
/** Matches through both paths, which must agree. */
function matches(pattern: object, event: object): boolean {
  const direct = testEventPattern(pattern, event, bare);
  const m = new PatternMatcher();
  m.add('r', pattern);
  expect(m.match(event).length === 1).toBe(direct);
  return direct;
}

describe('operators (reference/eventbridge.md §3)', () => {
  it('exact strings are byte-exact; numbers compare numerically; types never mix', () => {
    expect(matches({ a: ['Run '] }, { a: 'Run ' })).toBe(true);
    expect(matches({ a: ['run'] }, { a: 'Run' })).toBe(false);
    expect(matches({ a: [300] }, { a: 300.0 })).toBe(true);
    expect(testEventPattern({ a: [300] }, '{"a":300.0}', bare)).toBe(true);
    expect(testEventPattern({ a: [300] }, '{"a":3.0e2}', bare)).toBe(true);
    expect(matches({ a: [300] }, { a: '300' })).toBe(false);
    expect(matches({ a: ['true'] }, { a: true })).toBe(false);
    expect(matches({ a: [null] }, { a: 'null' })).toBe(false);
    expect(matches({ a: [''] }, { a: null })).toBe(false);
  });

  it('equals-ignore-case, prefix and suffix (with and without ignoring case)', () => {
    expect(matches({ a: [{ 'equals-ignore-case': 'alice' }] }, { a: 'ALICE' })).toBe(true);
    expect(matches({ a: [{ 'equals-ignore-case': 'ΟΔΟΣ' }] }, { a: 'οδοσ' })).toBe(true);
    expect(matches({ a: [{ prefix: 'us-' }] }, { a: 'us-east-1' })).toBe(true);
    expect(
      matches({ a: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { a: 'eventbridge' }),
    ).toBe(true);
    expect(matches({ a: [{ suffix: '.png' }] }, { a: 'a.PNG' })).toBe(false);
    expect(matches({ a: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { a: 'a.PNG' })).toBe(
      true,
    );
    expect(matches({ a: [{ prefix: '' }] }, { a: 'anything' })).toBe(true);
    expect(matches({ a: [{ prefix: '' }] }, { a: 5 })).toBe(false);
  });

  it('numeric accepts full float64 bounds and ignores strings', () => {
    expect(matches({ a: [{ numeric: ['>', 1e300] }] }, { a: 1.5e300 })).toBe(true);
    expect(matches({ a: [{ numeric: ['>=', -5e-324, '<', 5e-324] }] }, { a: 0 })).toBe(true);
    expect(matches({ a: [{ numeric: ['=', 0.1] }] }, { a: 0.1 })).toBe(true);
    expect(matches({ a: [{ numeric: ['<', 2 ** 60] }] }, { a: 2 ** 60 - 2 ** 8 })).toBe(true);
    expect(matches({ a: [{ numeric: ['>', 0] }] }, { a: '5' })).toBe(false);
  });

  it('cidr matches IPv4 and IPv6 addresses in the block, whatever the base address', () => {
    expect(matches({ ip: [{ cidr: '220.160.154.255/24' }] }, { ip: '220.160.154.0' })).toBe(true);
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '11.0.0.1' })).toBe(false);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:0db8:ffff::1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.0.0.1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'not-an-ip' })).toBe(false);
  });

  it('wildcard: * spans any run, \\* and \\\\ are literal, an empty wildcard matches only ""', () => {
    expect(matches({ a: [{ wildcard: 'dir/*.png' }] }, { a: 'dir/x/y.png' })).toBe(true);
    expect(matches({ a: [{ wildcard: 'dir/*.png' }] }, { a: 'dir/y.jpg' })).toBe(false);
    expect(matches({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' })).toBe(true);
    expect(matches({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axb' })).toBe(false);
    expect(matches({ a: [{ wildcard: 'a\\\\*' }] }, { a: 'a\\zz' })).toBe(true);
    expect(matches({ a: [{ wildcard: '' }] }, { a: '' })).toBe(true);
    expect(matches({ a: [{ wildcard: '' }] }, { a: 'x' })).toBe(false);
    expect(matches({ a: [{ wildcard: '*ab*ab*' }] }, { a: 'xxabyab' })).toBe(true);
    expect(matches({ a: [{ wildcard: '*aba*' }] }, { a: 'ababa' })).toBe(true);
    expect(matches({ a: [{ wildcard: 'ab*ba' }] }, { a: 'aba' })).toBe(false);
  });

  it('anything-but matches null and other types, never a missing field', () => {
    expect(matches({ a: [{ 'anything-but': 'x' }] }, { a: null })).toBe(true);
    expect(matches({ a: [{ 'anything-but': 'x' }] }, { a: true })).toBe(true);
    expect(matches({ a: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(matches({ a: [{ 'anything-but': [1, 2] }] }, { a: 1.0 })).toBe(false);
    expect(matches({ a: [{ 'anything-but': [1, 2] }] }, { a: '1' })).toBe(true);
    expect(matches({ a: [{ 'anything-but': { wildcard: '*/init/*' } }] }, { a: 123 })).toBe(true);
  });

  it('exists looks at leaves: an object or an empty array is not a value', () => {
    expect(matches({ a: [{ exists: true }] }, { a: null })).toBe(true);
    expect(matches({ a: [{ exists: true }] }, { a: { b: 1 } })).toBe(false);
    expect(matches({ a: [{ exists: true }] }, { a: [] })).toBe(false);
    expect(matches({ a: [{ exists: false }] }, { a: { b: 1 } })).toBe(true);
    expect(matches({ a: [{ exists: false }] }, { a: [] })).toBe(true);
    expect(matches({ a: [{ exists: false }] }, { a: [1] })).toBe(false);
  });

  it('event arrays match when they intersect the pattern array; [null] does not match []', () => {
    expect(matches({ r: ['x', 'y'] }, { r: ['a', 'y'] })).toBe(true);
    expect(matches({ r: [null] }, { r: [] })).toBe(false);
    expect(matches({ r: ['a'] }, { r: [['b', ['a']]] })).toBe(true);
  });

  it('a detail given as a JSON string is not parsed', () => {
    expect(matches({ detail: { k: ['v'] } }, { detail: '{"k":"v"}' })).toBe(false);
  });
});

describe('testEventPattern needs the envelope TestEventPattern needs', () => {
  const event = {
    id: '1',
    account: '123456789012',
    source: 's',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    'detail-type': 't',
  };

  it('accepts an event with id, account, source, time, region and detail-type (resources may be absent)', () => {
    expect(testEventPattern({ source: ['s'] }, event)).toBe(true);
  });

  it('rejects an event missing one of them, naming it, unless told not to check', () => {
    const { region: _region, ...rest } = event;
    let message = '';
    try {
      testEventPattern({ source: ['s'] }, rest);
    } catch (e) {
      message = isBallastError(e) && e.code === 'ValidationException' ? e.message : 'wrong error';
    }
    expect(message).toContain('missing "region"');
    expect(testEventPattern({ source: ['s'] }, rest, { requireEnvelope: false })).toBe(true);
  });

  it('rejects events that are not JSON objects', () => {
    for (const bad of ['plain string', '["plain string"]', '{"a":']) {
      expect(() => testEventPattern({ a: ['x'] }, bad)).toThrow(/Parameter Event is not valid/);
    }
  });
});
