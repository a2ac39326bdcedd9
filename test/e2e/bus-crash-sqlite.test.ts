import { describe } from 'vitest';
import { tempDbPath } from '../helpers/ballast.js';
import { busCrashTest } from './bus-crash.suite.js';

describe('bus crash safety (child processes, SIGKILL)', () => {
  busCrashTest('sqlite', async () => `sqlite:${tempDbPath()}`);
});
