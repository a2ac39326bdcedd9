import { describe } from 'vitest';
import { tempDbPath } from '../helpers/ballast.js';
import { crashTest } from './crash.suite.js';

describe('crash safety (child processes, SIGKILL)', () => {
  crashTest('sqlite', async () => `sqlite:${tempDbPath()}`);
});
