import {
  BUS_WAKE,
  type NewBusEvent,
  type ReplayCondition,
  type ReplayPatch,
  type ReplayRecord,
  type ReplayState,
} from '../../bus-contract.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';
import { appendEvents } from './events.js';

const parse = (row: { record: string } | undefined): ReplayRecord | undefined =>
  row ? (JSON.parse(row.record) as ReplayRecord) : undefined;

/** Stores a new replay unless the name is taken. */
export function createReplay(ctx: SqliteContext, r: ReplayRecord): Promise<boolean> {
  return ctx.commit.run(
    () =>
      stmt(
        ctx.db,
        'INSERT INTO replays (name, state, archive_arn, updated_at, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
      ).run(r.name, r.state, r.archiveArn, r.updatedAt, JSON.stringify(r)).changes > 0,
  );
}

/** One replay. */
export function getReplay(ctx: SqliteContext, name: string): ReplayRecord | undefined {
  return parse(
    stmt(ctx.db, 'SELECT record FROM replays WHERE name = ?').get(name) as
      { record: string } | undefined,
  );
}

/** Replays by name. */
export function listReplays(
  ctx: SqliteContext,
  prefix: string,
  state: ReplayState | null,
  archiveArn: string | null,
  after: string | null,
  limit: number,
): ReplayRecord[] {
  const rows = stmt(
    ctx.db,
    `SELECT record FROM replays WHERE substr(name, 1, length(?)) = ? AND (? IS NULL OR state = ?) AND (? IS NULL OR archive_arn = ?)
       AND name > ? ORDER BY name LIMIT ?`,
  ).all(prefix, prefix, state, state, archiveArn, archiveArn, after ?? '', limit) as {
    record: string;
  }[];
  return rows.map((r) => JSON.parse(r.record) as ReplayRecord);
}

/** Conditional patch, with the replayed events appended in the same transaction. */
export function updateReplay(
  ctx: SqliteContext,
  name: string,
  patch: ReplayPatch,
  when: ReplayCondition,
  events: readonly NewBusEvent[] = [],
): Promise<ReplayRecord | undefined> {
  return ctx.commit.run(() => {
    const current = getReplay(ctx, name);
    if (!current || !when.stateIn.includes(current.state)) return undefined;
    if (when.updatedAt !== undefined && current.updatedAt !== when.updatedAt) return undefined;
    if (when.updatedBefore !== undefined && current.updatedAt >= when.updatedBefore)
      return undefined;
    const next: ReplayRecord = { ...current, ...patch };
    stmt(ctx.db, 'UPDATE replays SET state = ?, updated_at = ?, record = ? WHERE name = ?').run(
      next.state,
      next.updatedAt,
      JSON.stringify(next),
      name,
    );
    if (events.length > 0) {
      appendEvents(ctx, events);
      ctx.wakeAfterCommit(BUS_WAKE.inbox);
    }
    return next;
  });
}
