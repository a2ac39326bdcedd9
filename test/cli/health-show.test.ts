import { describe, expect, it } from 'vitest';
import { renderUnhealthy } from '../../src/cli/commands/health.js';

const view = (states: ('healthy' | 'unhealthy' | 'unknown')[]) => ({
  monitorId: 'm',
  sequence: 1,
  time: '2026-01-01T00:00:00.000Z',
  counts: { healthy: 0, unhealthy: 0, unknown: 0 },
  endpoints: states.map((state, i) => ({ id: `e-${i}`, state })),
});

describe('ballast health show: the unhealthy list under the grid', () => {
  it('is empty when nothing is unhealthy', () => {
    expect(renderUnhealthy(view(['healthy', 'unknown']))).toBe('');
  });

  it('lists the first 20 unhealthy endpoints by id, then how many more', () => {
    const lines = renderUnhealthy(view(Array(25).fill('unhealthy'))).split('\n');
    expect(lines[0]).toBe('unhealthy (25):');
    expect(lines.slice(1, 3)).toEqual(['  ✕ e-0', '  ✕ e-1']);
    expect(lines).toHaveLength(22);
    expect(lines.at(-1)).toBe('  … and 5 more');
  });
});
