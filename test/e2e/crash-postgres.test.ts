import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { crashTest } from './crash.suite.js';

describePg('crash safety on PostgreSQL (child processes, SIGKILL)', () => {
  crashTest('postgres', async () => `${PG_URL}?schema=${freshSchema()}`);
});
