import { describe, expect, it } from 'vitest';
import { PatternMatcher, testEventPattern } from '../../src/patterns/index.js';

const bare = { requireEnvelope: false };
function both(pattern: object, event: object): boolean {
  const direct = testEventPattern(pattern, event, bare);
  const m = new PatternMatcher();
  m.add('noise', { employees: { first: ['Nobody'] } });
  m.add('r', pattern);
  expect(m.match(event).includes('r')).toBe(direct);
  return direct;
}

const employees = {
  employees: [
    { first: 'John', last: 'Doe', ids: [1234, 1000] },
    { first: 'Anna', last: 'Smith' },
    { first: 'Peter', last: 'Jones', ids: [] },
  ],
};

describe('fields matched inside an array of objects must come from one element', () => {
  it('fields of one element match together', () => {
    expect(both({ employees: { first: ['Anna'], last: ['Smith'] } }, employees)).toBe(true);
    expect(both({ employees: { first: ['John'], ids: [1000] } }, employees)).toBe(true);
  });

  it('fields of different elements do not', () => {
    expect(both({ employees: { first: ['Anna'], last: ['Jones'] } }, employees)).toBe(false);
    expect(both({ employees: { first: ['Anna'], ids: [{ exists: true }] } }, employees)).toBe(
      false,
    );
  });

  it('exists:false is judged in the chosen element', () => {
    expect(both({ employees: { first: ['Anna'], ids: [{ exists: false }] } }, employees)).toBe(
      true,
    );
    expect(both({ employees: { first: ['John'], ids: [{ exists: false }] } }, employees)).toBe(
      false,
    );
    // Peter's ids is an empty array: no value, so absent.
    expect(both({ employees: { first: ['Peter'], ids: [{ exists: false }] } }, employees)).toBe(
      true,
    );
    // Some element has no ids at all.
    expect(both({ employees: { ids: [{ exists: false }] } }, employees)).toBe(true);
    expect(
      both({ employees: { ids: [{ exists: false }] } }, { employees: [{ ids: 1 }, { ids: 2 }] }),
    ).toBe(false);
  });

  it('nested arrays: the outer array constrains as well as the inner one', () => {
    const nested = {
      e: [
        [
          { f: 'John', l: 'Doe' },
          { f: 'Anna', l: 'Smith' },
        ],
        [{ f: 'Peter', l: 'Jones' }],
      ],
    };
    expect(both({ e: { f: ['Anna'], l: ['Smith'] } }, nested)).toBe(true);
    expect(both({ e: { f: ['Anna'], l: ['Jones'] } }, nested)).toBe(false);
  });

  it('a field outside the array combines with any element', () => {
    expect(
      both({ team: ['x'], employees: { first: ['Peter'] } }, { team: 'x', ...employees }),
    ).toBe(true);
  });

  it('scalars in an array are not elements of objects: several values of one array may combine', () => {
    expect(
      both(
        { $or: [{ tags: ['a'], x: ['1'] }, { y: ['2'] }], tags: ['b'] },
        { tags: ['a', 'b'], x: '1' },
      ),
    ).toBe(true);
  });

  it('deeper levels: two fields must share the element at every array level they both cross', () => {
    const event = {
      orders: [
        {
          id: 'o1',
          lines: [
            { sku: 'A', qty: 1 },
            { sku: 'B', qty: 5 },
          ],
        },
        { id: 'o2', lines: [{ sku: 'A', qty: 5 }] },
      ],
    };
    expect(both({ orders: { id: ['o2'], lines: { sku: ['A'], qty: [5] } } }, event)).toBe(true);
    expect(both({ orders: { id: ['o1'], lines: { sku: ['A'], qty: [5] } } }, event)).toBe(false);
    expect(both({ orders: { id: ['o1'], lines: { sku: ['B'] } } }, event)).toBe(true);
  });

  it('a path spelled both dotted and nested: either spelling can supply a field', () => {
    const event = { a: [{ f: { g: '1' } }, { z: { g: '1' } }], 'a.f': [{ g: '1' }] };
    expect(both({ a: { f: { g: ['1'] }, z: { g: ['1'] } } }, event)).toBe(true);
    expect(both({ a: { f: { g: ['2'] }, z: { g: ['1'] } } }, event)).toBe(false);
  });
});
