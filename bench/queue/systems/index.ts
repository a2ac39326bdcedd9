import type { QueueSystem } from '../types.js';
import { ballastPostgres } from './ballast-postgres.js';
import { ballastServer } from './ballast-server.js';
import { ballastSqlite } from './ballast-sqlite.js';
import { bullmq } from './bullmq.js';
import {
  graphileWorkerDefaults,
  graphileWorkerLargeQueue,
  graphileWorkerTuned,
} from './graphile-worker.js';
import { pgBossBatch, pgBossSingle } from './pg-boss.js';

/** Every system, in report order. */
export const ALL_SYSTEMS: readonly QueueSystem[] = [
  ballastSqlite,
  ballastPostgres,
  ballastServer,
  bullmq,
  graphileWorkerTuned,
  graphileWorkerLargeQueue,
  graphileWorkerDefaults,
  pgBossSingle,
  pgBossBatch,
];
