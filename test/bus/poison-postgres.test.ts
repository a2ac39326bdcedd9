import { openBallast } from '../../src/ballast.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { poisonSuite } from './poison.suite.js';

describePg('poison events on PostgreSQL', () => {
  poisonSuite(() =>
    openBallast({
      store: `${PG_URL}?schema=${freshSchema()}`,
      retentionSweepMs: 0,
      statsTtlMs: 0,
      bus: { background: false },
    }),
  );
});
