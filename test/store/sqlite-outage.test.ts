/**
 * What the SQLite driver promises beyond the shared contract when the disk fails: the group
 * commit never acknowledges a write SQLite rolled back, never commits one it rejected, and works
 * again afterwards; raw SQLite and fsync errors become StoreUnavailable naming the cause.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  environmentFailure,
  toSqliteStoreError,
  walSyncError,
} from '../../src/store/sqlite/core/errors.js';
import { GroupCommit } from '../../src/store/sqlite/core/group-commit.js';
import { fillSqlite, freeSqlite } from '../helpers/disk.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-outage-'));
let n = 0;

describe('sqlite group commit on a full disk', () => {
  let db: Database;
  let durableDone = 0;
  let commit: GroupCommit;
  const insert = (label: string, bytes: number) => () =>
    void db.prepare('INSERT INTO t (label, pad) VALUES (?, zeroblob(?))').run(label, bytes);
  const labels = (): string[] =>
    (db.prepare('SELECT label FROM t ORDER BY id').all() as { label: string }[]).map(
      (r) => r.label,
    );

  beforeEach(() => {
    db = new BetterSqlite3(join(dir, `g${n++}.db`));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE, pad BLOB)');
    durableDone = 0;
    commit = new GroupCommit(
      db,
      () => undefined,
      null,
      512,
      () => durableDone++,
    );
  });
  afterEach(async () => {
    await commit.drain();
    db.close();
  });

  it('SQLITE_FULL in one job rolls back the whole transaction: every job of the batch is rejected, none is stored', async () => {
    db.prepare('INSERT INTO t (label) VALUES (?)').run('acked');
    fillSqlite(db);
    // Room for a small job only after SQLite's rollback gives back the pages of the first one:
    // the old group commit ran the third job in autocommit mode, committed it, then rejected it.
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 4}`);
    const results = await Promise.allSettled([
      commit.run(insert('a', 8_000)),
      commit.run(insert('b', 1_000_000)),
      commit.run(insert('c', 8_000)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    expect(labels()).toEqual(['acked']);
    expect(db.inTransaction).toBe(false);
    expect(durableDone).toBe(0);
  });

  it('the next batch after space returns commits and reports a durable success', async () => {
    fillSqlite(db);
    await expect(commit.run(insert('refused', 8_000))).rejects.toMatchObject({
      code: 'SQLITE_FULL',
    });
    freeSqlite(db);
    await Promise.all([commit.run(insert('x', 8_000)), commit.run(insert('y', 8_000))]);
    expect(labels()).toEqual(['x', 'y']);
    expect(durableDone).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a job failing on its own (a constraint) still rolls back alone; the others commit', async () => {
    const results = await Promise.allSettled([
      commit.run(insert('one', 10)),
      commit.run(insert('one', 10)),
      commit.run(insert('two', 10)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(labels()).toEqual(['one', 'two']);
  });

  it('a failed WAL fsync rejects the durable jobs waiting on it; non-durable ones resolved at commit; the next fsync acknowledges', async () => {
    const failures = [
      Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC' }),
    ];
    const syncing = new GroupCommit(
      db,
      () => undefined,
      () => {
        const error = failures.shift();
        return error ? Promise.reject(walSyncError(error)) : Promise.resolve();
      },
      512,
      () => durableDone++,
    );
    const [durable, quick] = await Promise.allSettled([
      syncing.run(insert('d', 10)),
      syncing.run(insert('q', 10), false),
    ]);
    expect(durable.status).toBe('rejected');
    expect((durable as PromiseRejectedResult).reason).toMatchObject({
      code: 'StoreUnavailable',
      message: expect.stringMatching(/disk is full \(ENOSPC\)/),
    });
    expect(quick.status).toBe('fulfilled');
    expect(durableDone).toBe(0);
    await syncing.run(insert('e', 10));
    expect(durableDone).toBe(1);
    await syncing.drain();
  });
});

describe('sqlite error mapping', () => {
  const sqliteError = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['SQLITE_FULL', /the disk is full \(SQLITE_FULL\)/],
    ['SQLITE_IOERR_WRITE', /I\/O error \(SQLITE_IOERR_WRITE\)/],
    ['SQLITE_IOERR_FSYNC', /I\/O error \(SQLITE_IOERR_FSYNC\)/],
    ['SQLITE_READONLY_DBMOVED', /read-only \(SQLITE_READONLY_DBMOVED\)/],
    ['SQLITE_CANTOPEN', /cannot be opened/],
    ['SQLITE_BUSY', /write lock/],
  ])('%s becomes StoreUnavailable naming the cause', (code, message) => {
    const mapped = toSqliteStoreError(sqliteError(code));
    expect(isBallastError(mapped) && mapped.code).toBe('StoreUnavailable');
    expect((mapped as Error).message).toMatch(message);
    expect(environmentFailure(mapped)?.code).toBe(code);
  });

  it('leaves SQL errors (constraints, syntax, corruption) alone: they are not outages', () => {
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_CORRUPT']) {
      const error = sqliteError(code);
      expect(toSqliteStoreError(error)).toBe(error);
      expect(environmentFailure(error)).toBeNull();
    }
  });

  it('maps fsync errnos (ENOSPC, EIO, EDQUOT) and keeps any other fsync failure StoreUnavailable', () => {
    expect(walSyncError(sqliteError('EIO')).message).toMatch(/I\/O error \(EIO\)/);
    expect(walSyncError(sqliteError('EDQUOT')).message).toMatch(/quota/);
    const other = walSyncError(sqliteError('EBADF'));
    expect(other.code).toBe('StoreUnavailable');
    expect(environmentFailure(other)).toEqual({ code: 'StoreUnavailable', reason: other.message });
  });
});
