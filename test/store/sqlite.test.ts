import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';
import { sqliteDiskFaults } from '../helpers/disk.js';
import { busContract } from './bus-contract.suite.js';
import { idempotencyContract } from './idempotency-contract.suite.js';
import { storeContract } from './contract.suite.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-sqlite-'));
let n = 0;

storeContract('sqlite', (clock) => openSqliteStore(join(dir, `t${n++}.db`), { clock }), sqliteDiskFaults);
busContract('sqlite', (clock) => openSqliteStore(join(dir, `b${n++}.db`), { clock }));
idempotencyContract('sqlite', (clock) => openSqliteStore(join(dir, `i${n++}.db`), { clock }), { transactional: true });
