/** `ballast/interactions` keeps the names that moved to `ballast/resilience`, so code written before the move still runs. */
import { describe, expect, it } from 'vitest';
import * as interactions from '../../src/interactions/index.js';
import * as resilience from '../../src/resilience/index.js';

describe('ballast/interactions re-exports what moved to ballast/resilience', () => {
  it('every runtime export of ballast/resilience is exported by ballast/interactions as the same value', () => {
    const names = Object.keys(resilience);
    expect(names).toContain('CircuitBreaker');
    expect(names).toContain('fetchWithDeadline');
    for (const name of names)
      expect((interactions as Record<string, unknown>)[name], name).toBe(
        (resilience as Record<string, unknown>)[name],
      );
  });
});
