import { describe, expect, it } from 'vitest';
import { explainEventPattern, testEventPattern } from '../../src/patterns/index.js';
import { Gen, prng } from './random.js';

const envelope = {
  id: '1',
  account: '123456789012',
  source: 'app.orders',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  'detail-type': 'OrderPlaced',
};

describe('explainEventPattern says why a rule did or did not fire', () => {
  it('names the failing field, the condition, and what the event had there', () => {
    const ex = explainEventPattern(
      {
        source: ['app.orders'],
        detail: { state: [{ 'anything-but': 'initializing' }], amount: [{ numeric: ['>', 100] }] },
      },
      { ...envelope, detail: { state: 'initializing', amount: 150 } },
    );
    expect(ex.matches).toBe(false);
    expect(ex.reasons).toEqual([
      'detail.state: the event has "initializing", which does not satisfy [{"anything-but":"initializing"}]',
    ]);
    const [branch] = ex.branches;
    expect(branch!.conditions.map((c) => [c.path, c.holds, c.found])).toEqual([
      ['source', true, ['app.orders']],
      ['detail.state', false, ['initializing']],
      ['detail.amount', true, [150]],
    ]);
    expect(branch!.conditions[1]!.location).toBe('$.detail.state');
  });

  it('a missing field, and a field that holds an object, have no value', () => {
    const ex = explainEventPattern(
      { detail: { id: [{ exists: true }], other: ['x'] } },
      { ...envelope, detail: { id: { S: 'abc' } } },
    );
    expect(ex.reasons).toEqual([
      'detail.id: the event has no value here (absent, or only objects/empty arrays), but [{"exists":true}] needs one',
      'detail.other: the event has no value here (absent, or only objects/empty arrays), but ["x"] needs one',
    ]);
  });

  it('exists:false that fails because the field is there', () => {
    const ex = explainEventPattern(
      { detail: { x: [{ exists: false }] } },
      { ...envelope, detail: { x: 5 } },
    );
    expect(ex.reasons).toEqual([
      'detail.x: the event has 5, which does not satisfy [{"exists":false}] (and being present, the field is not absent)',
    ]);
  });

  it('explains every $or combination, labelled with the entries it took', () => {
    const ex = explainEventPattern(
      { detail: { $or: [{ c: [{ numeric: ['>', 0] }] }, { d: [{ numeric: ['<', 10] }] }] } },
      { ...envelope, detail: { c: 0, d: 10 } },
    );
    expect(ex.matches).toBe(false);
    expect(ex.branches).toHaveLength(2);
    expect(ex.reasons).toEqual([
      '$or combination 0 ($.detail["$or"][0]): detail.c: the event has 0, which does not satisfy [{"numeric":[">",0]}]',
      '$or combination 1 ($.detail["$or"][1]): detail.d: the event has 10, which does not satisfy [{"numeric":["<",10]}]',
    ]);
  });

  it('for a match, says which combination matched', () => {
    const ex = explainEventPattern(
      { $or: [{ source: ['x'] }, { source: [{ prefix: 'app.' }] }] },
      envelope,
    );
    expect(ex.matches).toBe(true);
    expect(ex.reasons).toEqual(['$or combination 1 ($["$or"][1]): matches']);
    expect(ex.branches.map((b) => b.matches)).toEqual([false, true]);
  });

  it('when every field matches but in different array elements, blames array consistency', () => {
    const ex = explainEventPattern(
      { employees: { first: ['Anna'], last: ['Jones'] } },
      {
        employees: [
          { first: 'Anna', last: 'Smith' },
          { first: 'Peter', last: 'Jones' },
        ],
      },
      { requireEnvelope: false },
    );
    expect(ex.matches).toBe(false);
    expect(ex.branches[0]!.conditions.every((c) => c.holds)).toBe(true);
    expect(ex.reasons).toEqual([
      'employees.first, employees.last: each holds, but not within one element of the same array (array consistency: fields matched inside an array must come from the same element)',
    ]);
  });

  it('always agrees with testEventPattern (seeded random patterns and events)', () => {
    const gen = new Gen(prng(42));
    let matches = 0;
    for (let i = 0; i < 400; i++) {
      const pattern = gen.pattern();
      const event = gen.event();
      const ex = explainEventPattern(pattern, event, { requireEnvelope: false });
      expect(ex.matches).toBe(testEventPattern(pattern, event, { requireEnvelope: false }));
      if (ex.matches) matches++;
      else expect(ex.reasons.length).toBeGreaterThan(0);
    }
    expect(matches).toBeGreaterThan(10);
  });
});
