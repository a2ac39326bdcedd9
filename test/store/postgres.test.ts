import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { busContract } from './bus-contract.suite.js';
import { idempotencyContract } from './idempotency-contract.suite.js';
import { storeContract } from './contract.suite.js';

// Each test opens a store on a fresh schema with the FakeClock injected (no database clock).
describePg('postgres store contract', () => {
  storeContract('postgres', (clock) => openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }));
  busContract('postgres', (clock) => openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }));
  idempotencyContract('postgres', (clock) => openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }), { transactional: true });
});
