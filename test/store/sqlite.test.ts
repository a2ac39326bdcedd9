import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';
import { sqliteDiskFaults } from '../helpers/disk.js';
import { contractSuites } from './contract-suites.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-sqlite-'));
let n = 0;

contractSuites({
  url: 'sqlite:',
  open: (clock) => openSqliteStore(join(dir, `t${n++}.db`), { clock }),
  faults: sqliteDiskFaults,
  transactional: true,
});
