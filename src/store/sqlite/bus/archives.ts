import type {
  ArchiveCursor,
  ArchivedEvent,
  ArchiveFields,
  ArchiveRecord,
} from '../../bus-contract.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';
import { bumpVersion } from './config.js';
import { type ArchiveRow, DAY_MS, toArchive } from '../../shared/bus-rows.js';

/** Creates an archive unless one of this name exists. */
export function createArchive(
  ctx: SqliteContext,
  name: string,
  busId: number,
  f: ArchiveFields,
): Promise<{ created: boolean; archive: ArchiveRecord }> {
  return ctx.commit.run(() => {
    const row = stmt(
      ctx.db,
      `INSERT INTO archives (name, bus_id, event_pattern, description, retention_days, state, created_at)
       VALUES (?, ?, ?, ?, ?, 'ENABLED', ?) ON CONFLICT (name) DO NOTHING RETURNING *`,
    ).get(name, busId, f.eventPattern, f.description, f.retentionDays, ctx.now()) as
      ArchiveRow | undefined;
    if (row) {
      bumpVersion(ctx);
      return { created: true, archive: toArchive(row) };
    }
    return {
      created: false,
      archive: toArchive(
        stmt(ctx.db, 'SELECT * FROM archives WHERE name = ?').get(name) as ArchiveRow,
      ),
    };
  });
}

/** The archive of this name. */
export function getArchive(ctx: SqliteContext, name: string): ArchiveRecord | undefined {
  const row = stmt(ctx.db, 'SELECT * FROM archives WHERE name = ?').get(name) as
    ArchiveRow | undefined;
  return row && toArchive(row);
}

/** Archives by name. */
export function listArchives(
  ctx: SqliteContext,
  prefix: string,
  busId: number | null,
  after: string | null,
  limit: number,
): ArchiveRecord[] {
  return (
    stmt(
      ctx.db,
      `SELECT * FROM archives WHERE substr(name, 1, length(?)) = ? AND (? IS NULL OR bus_id = ?) AND name > ?
       ORDER BY name LIMIT ?`,
    ).all(prefix, prefix, busId, busId, after ?? '', limit) as ArchiveRow[]
  ).map(toArchive);
}

/** Replaces an archive's fields. */
export function updateArchive(
  ctx: SqliteContext,
  id: number,
  f: ArchiveFields,
): Promise<ArchiveRecord | undefined> {
  return ctx.commit.run(() => {
    const row = stmt(
      ctx.db,
      'UPDATE archives SET event_pattern = ?, description = ?, retention_days = ? WHERE id = ? RETURNING *',
    ).get(f.eventPattern, f.description, f.retentionDays, id) as ArchiveRow | undefined;
    if (row) bumpVersion(ctx);
    return row && toArchive(row);
  });
}

/** Deletes an archive and its events. */
export function deleteArchive(ctx: SqliteContext, id: number): Promise<boolean> {
  return ctx.commit.run(() => {
    stmt(ctx.db, 'DELETE FROM archive_events WHERE archive_id = ?').run(id);
    const gone = stmt(ctx.db, 'DELETE FROM archives WHERE id = ?').run(id).changes > 0;
    if (gone) bumpVersion(ctx);
    return gone;
  });
}

/** Archived events in a time window, in (eventTime, position) order after the cursor. */
export function readArchive(
  ctx: SqliteContext,
  id: number,
  from: number,
  to: number,
  cursor: ArchiveCursor | null,
  limit: number,
): ArchivedEvent[] {
  const rows = stmt(
    ctx.db,
    `SELECT event_time, position, bus_id, body FROM archive_events
     WHERE archive_id = ? AND event_time >= ? AND event_time < ? AND (event_time, position) > (?, ?)
     ORDER BY event_time, position LIMIT ?`,
  ).all(id, from, to, cursor?.eventTime ?? -1, cursor?.position ?? -1, limit) as {
    event_time: number;
    position: number;
    bus_id: number;
    body: string;
  }[];
  return rows.map((r) => ({
    eventTime: r.event_time,
    position: r.position,
    busId: r.bus_id,
    body: r.body,
  }));
}

/** Events and body bytes of an archive. */
export function archiveSize(ctx: SqliteContext, id: number): { events: number; bytes: number } {
  const row = stmt(
    ctx.db,
    'SELECT count(*) AS n, coalesce(sum(length(CAST(body AS BLOB))), 0) AS b FROM archive_events WHERE archive_id = ?',
  ).get(id) as { n: number; b: number };
  return { events: row.n, bytes: row.b };
}

/** Removes archived events older than their archive's retention. */
export function removeExpiredArchived(
  ctx: SqliteContext,
  now: number,
  limit: number,
): Promise<number> {
  return ctx.commit.run(
    () =>
      stmt(
        ctx.db,
        `DELETE FROM archive_events WHERE rowid IN (
           SELECT e.rowid FROM archive_events e JOIN archives a ON a.id = e.archive_id
           WHERE a.retention_days > 0 AND e.archived_at < ? - a.retention_days * ${DAY_MS} LIMIT ?)`,
      ).run(now, limit).changes,
    false,
  );
}
