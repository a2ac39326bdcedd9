import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openBallast } from '../../../src/ballast.js';
import type { QueueSystem } from '../types.js';
import { ballastVersion, packageVersion } from '../versions.js';
import { BALLAST_BULK_METHOD, BALLAST_CONSUME_METHOD, ballastRun } from './ballast-lib.js';

/** SQLite's library version as linked into better-sqlite3. */
export function sqliteVersion(): string {
  const db = new BetterSqlite3(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** Ballast as a library on an embedded SQLite file (default durability: sends fsynced). */
export const ballastSqlite: QueueSystem = {
  id: 'ballast-sqlite',
  async facts() {
    const sqlite = sqliteVersion();
    return {
      label: `Ballast ${ballastVersion()} on SQLite ${sqlite} (in process)`,
      versions: {
        ballast: ballastVersion(),
        sqlite,
        'better-sqlite3': packageVersion('better-sqlite3'),
      },
      durability:
        "Sends durable per ack: every acknowledged send is fdatasync'ed (WAL file, on the thread pool) before its promise resolves (group commit: many calls share one fsync). Receives (claims) and deletes commit without an fsync: they survive a process crash (kill -9); a power loss can only undo the last of them, which makes those messages visible and delivered again (at-least-once).",
      bulkMethod: BALLAST_BULK_METHOD,
      consumeMethod: BALLAST_CONSUME_METHOD,
      notes: ['Store file in a fresh temporary directory per run, removed afterwards.'],
    };
  },
  async open(run) {
    const dir = mkdtempSync(join(tmpdir(), `ballast-bench-${run}-`));
    const ballast = await openBallast({
      store: `sqlite:${join(dir, 'bench.db')}`,
      retentionSweepMs: 0,
    }).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    return ballastRun(ballast, async () => rmSync(dir, { recursive: true, force: true }));
  },
};
