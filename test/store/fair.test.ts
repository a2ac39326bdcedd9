import { describe, expect, it } from 'vitest';
import { pickFair } from '../../src/store/shared/fair.js';

describe('fair selection across message groups (pure)', () => {
  it("a quiet tenant is served before a noisy tenant's backlog", () => {
    const noisy = Array.from({ length: 50 }, (_, i) => ({ position: i + 1, groupId: 'A' }));
    const quiet = [{ position: 1000, groupId: 'B' }];
    const picked = pickFair([...noisy, ...quiet], new Map([['A', 10]]), 3);
    expect(picked[0]).toBe(1000);
    expect(picked.slice(1)).toEqual([1, 2]);
  });

  it('spreads one claim round-robin over tenants with equal load, oldest first', () => {
    const c = [
      { position: 1, groupId: 'A' },
      { position: 2, groupId: 'A' },
      { position: 3, groupId: 'B' },
      { position: 4, groupId: null },
      { position: 5, groupId: 'B' },
    ];
    expect(pickFair(c, new Map(), 4)).toEqual([1, 3, 4, 2]);
  });

  it('never picks more than max or a position twice', () => {
    const c = Array.from({ length: 30 }, (_, i) => ({ position: i, groupId: `g${i % 3}` }));
    const picked = pickFair(c, new Map([['g0', 5]]), 10);
    expect(picked.length).toBe(10);
    expect(new Set(picked).size).toBe(10);
    expect(pickFair(c, new Map(), 100).length).toBe(30);
  });
});
