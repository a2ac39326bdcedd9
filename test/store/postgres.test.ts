import type { AnyStore, Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/driver.js';
import { postgresDiskFaults } from '../helpers/disk.js';
import { describePg, freshSchema, PG_URL } from '../helpers/pg.js';
import { contractSuites } from './contract-suites.js';

// Each test opens a store on a fresh schema with the FakeClock injected (no database clock).
describePg('postgres store contract', () => {
  // The disk-full triggers go into the schema of the store under test.
  const schemas = new WeakMap<AnyStore, string>();
  contractSuites({
    url: PG_URL,
    open: async (clock) => {
      const schema = freshSchema();
      const store = await openPostgresStore(PG_URL, { clock, schema, poolSize: 4 });
      schemas.set(store, schema);
      return store;
    },
    faults: postgresDiskFaults(PG_URL, (store: Store) => schemas.get(store)!),
    transactional: true,
  });
});
