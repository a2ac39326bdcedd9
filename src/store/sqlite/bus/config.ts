import {
  BUS_WAKE,
  type BusEdit,
  type BusFields,
  type BusRecord,
  type DueSchedule,
  type NewBusEvent,
  type RuleFields,
  type RuleRecord,
  type TagsEdit,
  type TargetRecord,
} from '../../bus-contract.js';
import { appendEvents } from './events.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';
import { type BusRow, type RuleRow, toBus, toRule } from '../../shared/bus-rows.js';

interface TargetRow {
  rule_id: number;
  target_id: string;
  arn: string;
  config: string;
}

const toTarget = (t: TargetRow): TargetRecord => ({
  id: t.target_id,
  arn: t.arn,
  config: JSON.parse(t.config) as Record<string, unknown>,
});

function withTargets(ctx: SqliteContext, rows: RuleRow[]): RuleRecord[] {
  if (rows.length === 0) return [];
  const targets = stmt(
    ctx.db,
    'SELECT rule_id, target_id, arn, config FROM targets WHERE rule_id IN (SELECT value FROM json_each(?)) ORDER BY rule_id, target_id',
  ).all(JSON.stringify(rows.map((r) => r.id))) as TargetRow[];
  const byRule = new Map<number, TargetRecord[]>();
  for (const t of targets) {
    const list = byRule.get(t.rule_id) ?? [];
    list.push(toTarget(t));
    byRule.set(t.rule_id, list);
  }
  return rows.map((r) => toRule(r, byRule.get(r.id) ?? []));
}

const bumpVersion = (ctx: SqliteContext): void =>
  void stmt(ctx.db, 'UPDATE bus_meta SET rules_version = rules_version + 1').run();

/** Creates a bus unless one of this name exists. */
export function createBus(
  ctx: SqliteContext,
  name: string,
  fields: BusFields,
): Promise<{ created: boolean; bus: BusRecord }> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const inserted = stmt(
      ctx.db,
      `INSERT INTO buses (name, description, dead_letter_arn, tags, policy, kms_key_identifier, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *`,
    ).get(
      name,
      fields.description,
      fields.deadLetterArn,
      JSON.stringify(fields.tags),
      fields.policy ?? null,
      fields.kmsKeyIdentifier ?? null,
      now,
      now,
    ) as BusRow | undefined;
    if (inserted) return { created: true, bus: toBus(inserted) };
    return {
      created: false,
      bus: toBus(stmt(ctx.db, 'SELECT * FROM buses WHERE name = ?').get(name) as BusRow),
    };
  });
}

/** The bus of this name. */
export function getBus(ctx: SqliteContext, name: string): BusRecord | undefined {
  const row = stmt(ctx.db, 'SELECT * FROM buses WHERE name = ?').get(name) as BusRow | undefined;
  return row && toBus(row);
}

/** Buses by name. */
export function listBuses(
  ctx: SqliteContext,
  prefix: string,
  after: string | null,
  limit: number,
): BusRecord[] {
  return (
    stmt(
      ctx.db,
      'SELECT * FROM buses WHERE substr(name, 1, length(?)) = ? AND name > ? ORDER BY name LIMIT ?',
    ).all(prefix, prefix, after ?? '', limit) as BusRow[]
  ).map(toBus);
}

/** Replaces a bus's fields. */
export function updateBus(
  ctx: SqliteContext,
  busId: number,
  fields: BusFields,
): Promise<BusRecord | undefined> {
  return ctx.commit.run(() => writeBus(ctx, busId, fields));
}

function writeBus(ctx: SqliteContext, busId: number, fields: BusFields): BusRecord | undefined {
  const row = stmt(
    ctx.db,
    `UPDATE buses SET description = ?, dead_letter_arn = ?, tags = ?, policy = ?, kms_key_identifier = ?, modified_at = ?
     WHERE id = ? RETURNING *`,
  ).get(
    fields.description,
    fields.deadLetterArn,
    JSON.stringify(fields.tags),
    fields.policy ?? null,
    fields.kmsKeyIdentifier ?? null,
    ctx.now(),
    busId,
  ) as BusRow | undefined;
  return row && toBus(row);
}

/** The row of `table` with this id, read inside the caller's transaction. */
const rowById = <R>(ctx: SqliteContext, table: 'buses' | 'rules', id: number): R | undefined =>
  stmt(ctx.db, `SELECT * FROM ${table} WHERE id = ?`).get(id) as R | undefined;

/** Rewrites a bus from its stored record; an `edit` that throws fails the job before any write. */
export const editBus = (ctx: SqliteContext, busId: number, edit: BusEdit) =>
  ctx.commit.run(() => {
    const row = rowById<BusRow>(ctx, 'buses', busId);
    return row && writeBus(ctx, busId, edit(toBus(row)));
  });

/** Rewrites a rule's tags from its stored ones. */
export function editRuleTags(
  ctx: SqliteContext,
  ruleId: number,
  edit: TagsEdit,
): Promise<RuleRecord | undefined> {
  return ctx.commit.run(() => {
    const row = rowById<RuleRow>(ctx, 'rules', ruleId);
    if (!row) return undefined;
    const tags = edit(toRule(row, []).tags);
    const updated = stmt(ctx.db, 'UPDATE rules SET tags = ? WHERE id = ? RETURNING *').get(
      JSON.stringify(tags),
      ruleId,
    ) as RuleRow;
    return withTargets(ctx, [updated])[0];
  });
}

/** Deletes a bus without rules. */
export function deleteBus(
  ctx: SqliteContext,
  busId: number,
): Promise<'deleted' | 'absent' | 'hasRules'> {
  return ctx.commit.run(() => {
    if (stmt(ctx.db, 'SELECT 1 FROM rules WHERE bus_id = ? LIMIT 1').get(busId)) return 'hasRules';
    return stmt(ctx.db, 'DELETE FROM buses WHERE id = ?').run(busId).changes > 0
      ? 'deleted'
      : 'absent';
  });
}

/** Creates or replaces a rule (targets kept). */
export function putRule(
  ctx: SqliteContext,
  busId: number,
  name: string,
  f: RuleFields,
): Promise<RuleRecord> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const row = stmt(
      ctx.db,
      `INSERT INTO rules (bus_id, name, event_pattern, schedule_expression, next_fire_at, state, description, role_arn, tags, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (bus_id, name) DO UPDATE SET event_pattern = excluded.event_pattern,
         schedule_expression = excluded.schedule_expression, next_fire_at = excluded.next_fire_at, state = excluded.state,
         description = excluded.description, role_arn = excluded.role_arn, modified_at = excluded.modified_at
       RETURNING *`,
    ).get(
      busId,
      name,
      f.eventPattern,
      f.scheduleExpression,
      f.nextFireAt,
      f.state,
      f.description,
      f.roleArn,
      // Only a new rule takes them: the conflict clause leaves a replaced rule's tags alone.
      JSON.stringify(f.tags ?? {}),
      now,
      now,
    ) as RuleRow;
    bumpVersion(ctx);
    return withTargets(ctx, [row])[0]!;
  }, false);
}

/** One rule with its targets. */
export function getRule(ctx: SqliteContext, busId: number, name: string): RuleRecord | undefined {
  const row = stmt(ctx.db, 'SELECT * FROM rules WHERE bus_id = ? AND name = ?').get(busId, name) as
    RuleRow | undefined;
  return row && withTargets(ctx, [row])[0];
}

/** Rules of a bus by name. */
export function listRules(
  ctx: SqliteContext,
  busId: number,
  prefix: string,
  after: string | null,
  limit: number,
): RuleRecord[] {
  const rows = stmt(
    ctx.db,
    'SELECT * FROM rules WHERE bus_id = ? AND substr(name, 1, length(?)) = ? AND name > ? ORDER BY name LIMIT ?',
  ).all(busId, prefix, prefix, after ?? '', limit) as RuleRow[];
  return withTargets(ctx, rows);
}

/** Deletes a rule without targets. */
export function deleteRule(
  ctx: SqliteContext,
  busId: number,
  name: string,
): Promise<'deleted' | 'absent' | 'hasTargets'> {
  return ctx.commit.run(() => {
    const row = stmt(ctx.db, 'SELECT id FROM rules WHERE bus_id = ? AND name = ?').get(
      busId,
      name,
    ) as { id: number } | undefined;
    if (!row) return 'absent';
    if (stmt(ctx.db, 'SELECT 1 FROM targets WHERE rule_id = ? LIMIT 1').get(row.id))
      return 'hasTargets';
    stmt(ctx.db, 'DELETE FROM rules WHERE id = ?').run(row.id);
    bumpVersion(ctx);
    return 'deleted';
  }, false);
}

/** Upserts targets within the per-rule limit. */
export function putTargets(
  ctx: SqliteContext,
  ruleId: number,
  targets: readonly TargetRecord[],
  maxTargets: number,
): Promise<'ok' | 'absent' | 'limit'> {
  return ctx.commit.run(() => {
    if (!stmt(ctx.db, 'SELECT 1 FROM rules WHERE id = ?').get(ruleId)) return 'absent';
    const existing = new Set(
      (
        stmt(ctx.db, 'SELECT target_id FROM targets WHERE rule_id = ?').all(ruleId) as {
          target_id: string;
        }[]
      ).map((r) => r.target_id),
    );
    for (const t of targets) existing.add(t.id);
    if (existing.size > maxTargets) return 'limit';
    for (const t of targets) {
      stmt(
        ctx.db,
        `INSERT INTO targets (rule_id, target_id, arn, config) VALUES (?, ?, ?, ?)
         ON CONFLICT (rule_id, target_id) DO UPDATE SET arn = excluded.arn, config = excluded.config`,
      ).run(ruleId, t.id, t.arn, JSON.stringify(t.config));
    }
    bumpVersion(ctx);
    return 'ok';
  }, false);
}

/** Removes targets; returns the ids that existed. */
export function removeTargets(
  ctx: SqliteContext,
  ruleId: number,
  ids: readonly string[],
): Promise<string[]> {
  return ctx.commit.run(() => {
    const removed: string[] = [];
    for (const id of ids) {
      if (
        stmt(ctx.db, 'DELETE FROM targets WHERE rule_id = ? AND target_id = ?').run(ruleId, id)
          .changes > 0
      )
        removed.push(id);
    }
    if (removed.length > 0) bumpVersion(ctx);
    return removed;
  }, false);
}

/** Every rule with targets. */
export function loadRules(ctx: SqliteContext): RuleRecord[] {
  return withTargets(
    ctx,
    stmt(ctx.db, 'SELECT * FROM rules ORDER BY bus_id, name').all() as RuleRow[],
  );
}

/** The rules version counter. */
export function rulesVersion(ctx: SqliteContext): number {
  return (
    stmt(ctx.db, 'SELECT rules_version FROM bus_meta WHERE id = 1').get() as {
      rules_version: number;
    }
  ).rules_version;
}

/** Bumps the version (archives change what dispatch writes too). */
export { bumpVersion };

/** Enabled scheduled rules due at `now`. */
export function dueSchedules(ctx: SqliteContext, now: number, limit: number): DueSchedule[] {
  return (
    stmt(
      ctx.db,
      `SELECT id, bus_id, name, schedule_expression, next_fire_at FROM rules
       WHERE next_fire_at IS NOT NULL AND state = 'ENABLED' AND next_fire_at <= ? ORDER BY next_fire_at LIMIT ?`,
    ).all(now, limit) as {
      id: number;
      bus_id: number;
      name: string;
      schedule_expression: string;
      next_fire_at: number;
    }[]
  ).map((r) => ({
    ruleId: r.id,
    busId: r.bus_id,
    name: r.name,
    scheduleExpression: r.schedule_expression,
    dueAt: r.next_fire_at,
  }));
}

/** The next firing of any enabled scheduled rule. */
export function nextScheduleAt(ctx: SqliteContext): number | null {
  return (
    stmt(
      ctx.db,
      "SELECT min(next_fire_at) AS at FROM rules WHERE next_fire_at IS NOT NULL AND state = 'ENABLED'",
    ).get() as {
      at: number | null;
    }
  ).at;
}

/** Fires a schedule once (conditional move of next_fire_at + the event, one transaction). */
export function fireSchedule(
  ctx: SqliteContext,
  ruleId: number,
  dueAt: number,
  nextAt: number | null,
  event: NewBusEvent,
): Promise<boolean> {
  return ctx.commit.run(() => {
    const moved = stmt(
      ctx.db,
      "UPDATE rules SET next_fire_at = ? WHERE id = ? AND next_fire_at = ? AND state = 'ENABLED'",
    ).run(nextAt, ruleId, dueAt);
    if (moved.changes === 0) return false;
    appendEvents(ctx, [event]);
    ctx.wakeAfterCommit(BUS_WAKE.inbox);
    return true;
  });
}
