import { openBallast } from '../../../src/ballast.js';
import { dropSchema, pgUrlWith, postgresFacts } from '../services.js';
import type { QueueSystem } from '../types.js';
import { ballastVersion, packageVersion } from '../versions.js';
import { BALLAST_BULK_METHOD, BALLAST_CONSUME_METHOD, ballastRun } from './ballast-lib.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../versions.js';

/** Ballast as a library on PostgreSQL, a fresh schema per run. */
export const ballastPostgres: QueueSystem = {
  id: 'ballast-postgres',
  async facts() {
    if (!existsSync(join(ROOT, 'src', 'store', 'postgres', 'driver.ts'))) {
      throw new Error('src/store/postgres/driver.ts does not exist yet');
    }
    const pg = await postgresFacts();
    return {
      label: `Ballast ${ballastVersion()} on ${pg.version.split(' ').slice(0, 2).join(' ')} (in process)`,
      versions: { ballast: ballastVersion(), postgresql: pg.version, pg: packageVersion('pg') },
      durability: `Durable per ack: every acknowledged send and delete is a committed transaction (server \`synchronous_commit=${pg.synchronousCommit}\`, \`fsync=${pg.fsync}\`).`,
      bulkMethod: BALLAST_BULK_METHOD,
      consumeMethod: BALLAST_CONSUME_METHOD,
      notes: ['Fresh schema `bench_ballast_<run>` per run, dropped afterwards.'],
    };
  },
  async open(run) {
    const schema = `bench_ballast_${run}`;
    await dropSchema(schema);
    const ballast = await openBallast({
      store: pgUrlWith('schema', schema),
      retentionSweepMs: 0,
    }).catch(async (error: unknown) => {
      await dropSchema(schema);
      throw error;
    });
    return ballastRun(ballast, () => dropSchema(schema));
  },
};
