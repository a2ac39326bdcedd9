import { afterAll } from 'vitest';
import { describeLeaks, recordOrigins, runningObjects } from '../../src/core/lifecycle.js';

// Every test file: remember where each long-lived object starts, and fail the file when one is
// still running after its tests (and their own afterAll hooks, which run before this one).
recordOrigins(true);

afterAll(() => {
  const leaks = describeLeaks(runningObjects());
  if (leaks) throw new Error(leaks);
});
