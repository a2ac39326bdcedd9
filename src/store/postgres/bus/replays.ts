import {
  BUS_WAKE,
  type NewBusEvent,
  type ReplayCondition,
  type ReplayPatch,
  type ReplayRecord,
  type ReplayState,
} from '../../bus-contract.js';
import type { PgBase } from '../core/context.js';
import { insertEvents } from './events.js';

/** Stores a new replay unless the name is taken. */
export async function createReplay(ctx: PgBase, r: ReplayRecord): Promise<boolean> {
  const { rowCount } = await ctx.db.write(
    (sql) =>
      sql.query(
        'INSERT INTO replays (name, state, archive_arn, updated_at, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
        [r.name, r.state, r.archiveArn, r.updatedAt, JSON.stringify(r)],
      ),
    'createReplay',
  );
  return (rowCount ?? 0) > 0;
}

/** One replay. */
export async function getReplay(ctx: PgBase, name: string): Promise<ReplayRecord | undefined> {
  const rows = await ctx.db.read<{ record: ReplayRecord }>(
    'SELECT record FROM replays WHERE name = $1',
    [name],
    'getReplay',
  );
  return rows[0]?.record;
}

/** Replays by name. */
export async function listReplays(
  ctx: PgBase,
  prefix: string,
  state: ReplayState | null,
  archiveArn: string | null,
  after: string | null,
  limit: number,
): Promise<ReplayRecord[]> {
  const rows = await ctx.db.read<{ record: ReplayRecord }>(
    `SELECT record FROM replays WHERE left(name, length($1)) = $1 AND ($2::text IS NULL OR state = $2)
       AND ($3::text IS NULL OR archive_arn = $3) AND name > $4 ORDER BY name LIMIT $5`,
    [prefix, state, archiveArn, after ?? '', limit],
    'listReplays',
  );
  return rows.map((r) => r.record);
}

/** Conditional patch (row-locked), with the replayed events appended in the same transaction. */
export async function updateReplay(
  ctx: PgBase,
  name: string,
  patch: ReplayPatch,
  when: ReplayCondition,
  events: readonly NewBusEvent[] = [],
): Promise<ReplayRecord | undefined> {
  const next = await ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<{ record: ReplayRecord }>(
      'SELECT record FROM replays WHERE name = $1 FOR UPDATE',
      [name],
    );
    const current = rows[0]?.record;
    if (!current || !when.stateIn.includes(current.state)) return undefined;
    if (when.updatedAt !== undefined && current.updatedAt !== when.updatedAt) return undefined;
    if (when.updatedBefore !== undefined && current.updatedAt >= when.updatedBefore)
      return undefined;
    const updated: ReplayRecord = { ...current, ...patch };
    await sql.query('UPDATE replays SET state = $2, updated_at = $3, record = $4 WHERE name = $1', [
      name,
      updated.state,
      updated.updatedAt,
      JSON.stringify(updated),
    ]);
    if (events.length > 0) await insertEvents(ctx, sql, events);
    return updated;
  }, 'updateReplay');
  if (next && events.length > 0) ctx.wake.fire(BUS_WAKE.inbox);
  return next;
}
