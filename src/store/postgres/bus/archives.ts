import type {
  ArchiveCursor,
  ArchivedEvent,
  ArchiveFields,
  ArchiveRecord,
} from '../../bus-contract.js';
import type { PgBase } from '../core/context.js';
import { BUMP_VERSION, insertByName } from './config.js';
import { nowSql } from './rows.js';
import { type ArchiveRow, DAY_MS, toArchive } from '../../shared/bus-rows.js';

/** Creates an archive unless one of this name exists; a new one moves the rules version. */
export async function createArchive(
  ctx: PgBase,
  name: string,
  busId: number,
  f: ArchiveFields,
): Promise<{ created: boolean; archive: ArchiveRecord }> {
  const { created, row } = await insertByName<ArchiveRow>(
    ctx,
    'archives',
    name,
    `WITH ins AS (
       INSERT INTO archives (name, bus_id, event_pattern, description, retention_days, state, created_at)
       VALUES ($2, $3, $4, $5, $6, 'ENABLED', ${nowSql(1)}) ON CONFLICT (name) DO NOTHING RETURNING *),
     v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM ins))
     SELECT * FROM ins`,
    [ctx.nowParam(), name, busId, f.eventPattern, f.description, f.retentionDays],
  );
  return { created, archive: toArchive(row) };
}

/** The archive of this name. */
export async function getArchive(ctx: PgBase, name: string): Promise<ArchiveRecord | undefined> {
  const rows = await ctx.db.read<ArchiveRow>(
    'SELECT * FROM archives WHERE name = $1',
    [name],
    'getArchive',
  );
  return rows[0] && toArchive(rows[0]);
}

/** Archives by literal name prefix (of one bus, or all), paged by name. */
export async function listArchives(
  ctx: PgBase,
  prefix: string,
  busId: number | null,
  after: string | null,
  limit: number,
): Promise<ArchiveRecord[]> {
  const rows = await ctx.db.read<ArchiveRow>(
    `SELECT * FROM archives WHERE left(name, $1) = $2 AND ($3::bigint IS NULL OR bus_id = $3) AND name > $4
     ORDER BY name LIMIT $5`,
    [prefix.length, prefix, busId, after ?? '', limit],
    'listArchives',
  );
  return rows.map(toArchive);
}

/** Replaces an archive's fields, moving the rules version in the same statement. */
export async function updateArchive(
  ctx: PgBase,
  id: number,
  f: ArchiveFields,
): Promise<ArchiveRecord | undefined> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<ArchiveRow>(
        `WITH u AS (UPDATE archives SET event_pattern = $2, description = $3, retention_days = $4 WHERE id = $1 RETURNING *),
         v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM u))
         SELECT * FROM u`,
        [id, f.eventPattern, f.description, f.retentionDays],
      ),
    'updateArchive',
  );
  return rows[0] && toArchive(rows[0]);
}

/**
 * Deletes an archive, then its events. The archive row goes first: it waits for dispatches
 * copying into it (they key-share lock it), so the second statement sees their copies.
 */
export function deleteArchive(ctx: PgBase, id: number): Promise<boolean> {
  return ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<{ gone: boolean }>(
      `WITH d AS (DELETE FROM archives WHERE id = $1 RETURNING 1),
       v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM d))
       SELECT EXISTS (SELECT 1 FROM d) AS gone`,
      [id],
    );
    if (!rows[0]!.gone) return false;
    await sql.query('DELETE FROM archive_events WHERE archive_id = $1', [id]);
    return true;
  }, 'deleteArchive');
}

/** Archived events with `from <= eventTime < to`, in (eventTime, position) order after the cursor. */
export async function readArchive(
  ctx: PgBase,
  id: number,
  from: number,
  to: number,
  cursor: ArchiveCursor | null,
  limit: number,
): Promise<ArchivedEvent[]> {
  // One row comparison, so the scan is a range of the primary key: after the cursor, or from
  // `from` on (positions start at 1, so (from, 0) is below every event at `from`).
  const start = cursor && cursor.eventTime >= from ? cursor : { eventTime: from, position: 0 };
  const rows = await ctx.db.read<{
    event_time: number;
    position: number;
    bus_id: number;
    body: string;
  }>(
    `SELECT event_time, position, bus_id, body FROM archive_events
     WHERE archive_id = $1 AND (event_time, position) > ($2::bigint, $3::bigint) AND event_time < $4
     ORDER BY event_time, position LIMIT $5`,
    [id, start.eventTime, start.position, to, limit],
    'readArchive',
  );
  return rows.map((r) => ({
    eventTime: r.event_time,
    position: r.position,
    busId: r.bus_id,
    body: r.body,
  }));
}

/** Events and body bytes (UTF-8) of an archive. */
export async function archiveSize(
  ctx: PgBase,
  id: number,
): Promise<{ events: number; bytes: number }> {
  const rows = await ctx.db.read<{ n: number; b: number }>(
    'SELECT count(*) AS n, coalesce(sum(octet_length(body)), 0)::bigint AS b FROM archive_events WHERE archive_id = $1',
    [id],
    'archiveSize',
  );
  return { events: rows[0]!.n, bytes: rows[0]!.b };
}

/** Removes archived events older than their archive's retention (0 = forever). */
export async function removeExpiredArchived(
  ctx: PgBase,
  now: number,
  limit: number,
): Promise<number> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<{ n: number }>(
        `WITH old AS (
           SELECT e.archive_id, e.event_time, e.position FROM archive_events e JOIN archives a ON a.id = e.archive_id
           WHERE a.retention_days > 0 AND e.archived_at < $1::bigint - a.retention_days::bigint * ${DAY_MS}
           LIMIT $2 FOR UPDATE OF e SKIP LOCKED),
         gone AS (DELETE FROM archive_events e USING old
           WHERE (e.archive_id, e.event_time, e.position) = (old.archive_id, old.event_time, old.position) RETURNING 1)
         SELECT count(*) AS n FROM gone`,
        [now, limit],
      ),
    'removeExpiredArchived',
  );
  return rows[0]!.n;
}
