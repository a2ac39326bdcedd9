import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { busCrashTest } from './bus-crash.suite.js';

describePg('bus crash safety on PostgreSQL (child processes, SIGKILL)', () => {
  busCrashTest('postgres', async () => `${PG_URL}?schema=${freshSchema()}`);
});
