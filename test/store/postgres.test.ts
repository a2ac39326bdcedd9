import type { Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { postgresDiskFaults } from '../helpers/disk.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { busContract } from './bus-contract.suite.js';
import { idempotencyContract } from './idempotency-contract.suite.js';
import { storeContract } from './contract.suite.js';

// Each test opens a store on a fresh schema with the FakeClock injected (no database clock).
describePg('postgres store contract', () => {
  // The disk-full triggers go into the schema of the store under test.
  const schemas = new WeakMap<Store, string>();
  const faults = postgresDiskFaults(PG_URL, (store) => schemas.get(store)!);
  storeContract(
    'postgres',
    async (clock) => {
      const schema = freshSchema();
      const store = await openPostgresStore(PG_URL, { clock, schema, poolSize: 4 });
      schemas.set(store, schema);
      return store;
    },
    faults,
  );
  busContract('postgres', (clock) => openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }));
  idempotencyContract('postgres', (clock) => openPostgresStore(PG_URL, { clock, schema: freshSchema(), poolSize: 4 }), { transactional: true });
});
