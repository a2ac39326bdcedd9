import {
  BUS_WAKE,
  type DueSchedule,
  type NewBusEvent,
  type RuleFields,
  type RuleRecord,
  type TagsEdit,
  type TargetRecord,
} from '../../bus-contract.js';
import { insertEvents } from './events.js';
import type { PgBase } from '../core/context.js';
import type { Sql } from '../core/db.js';
import { BUMP_VERSION } from './config.js';
import { nowSql } from './rows.js';
import { type RuleRow as StoredRuleRow, toRule as mapRule } from '../../shared/bus-rows.js';

/** A `rules` row with its targets aggregated (see RULE_COLUMNS). */
type RuleRow = StoredRuleRow & { targets: TargetRecord[] };
const toRule = (r: RuleRow): RuleRecord => mapRule(r, r.targets);

/** Columns of rule `r` with its targets in id order, in the same statement (one round trip). */
const RULE_COLUMNS = `r.*, (SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.target_id, 'arn', t.arn, 'config', t.config)
    ORDER BY t.target_id), '[]'::jsonb) FROM targets t WHERE t.rule_id = r.id) AS targets`;

/** Creates or replaces a rule (targets kept), moving the rules version in the same statement. */
export async function putRule(
  ctx: PgBase,
  busId: number,
  name: string,
  f: RuleFields,
): Promise<RuleRecord> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<RuleRow>(
        `WITH r AS (
           INSERT INTO rules (bus_id, name, event_pattern, schedule_expression, next_fire_at, state, description, role_arn, tags, created_at, modified_at)
           SELECT $2, $3, $4, $5, $9, $6, $7, $8, $10::jsonb, t.now, t.now FROM (SELECT ${nowSql(1)} AS now) t
           ON CONFLICT (bus_id, name) DO UPDATE SET event_pattern = excluded.event_pattern,
             schedule_expression = excluded.schedule_expression, next_fire_at = excluded.next_fire_at, state = excluded.state,
             description = excluded.description, role_arn = excluded.role_arn, modified_at = excluded.modified_at
           RETURNING *),
         v AS (${BUMP_VERSION})
         SELECT ${RULE_COLUMNS} FROM r`,
        [
          ctx.nowParam(),
          busId,
          name,
          f.eventPattern,
          f.scheduleExpression,
          f.state,
          f.description,
          f.roleArn,
          f.nextFireAt,
          // Only a new rule takes them: the conflict clause leaves a replaced rule's tags alone.
          JSON.stringify(f.tags ?? {}),
        ],
      ),
    'putRule',
  );
  return toRule(rows[0]!);
}

/** One rule with its targets. */
export async function getRule(
  ctx: PgBase,
  busId: number,
  name: string,
): Promise<RuleRecord | undefined> {
  const rows = await ctx.db.read<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM rules r WHERE r.bus_id = $1 AND r.name = $2`,
    [busId, name],
    'getRule',
  );
  return rows[0] && toRule(rows[0]);
}

/** Rules of a bus by literal name prefix, paged by name. */
export async function listRules(
  ctx: PgBase,
  busId: number,
  prefix: string,
  after: string | null,
  limit: number,
): Promise<RuleRecord[]> {
  const rows = await ctx.db.read<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM rules r WHERE r.bus_id = $1 AND left(r.name, $2) = $3 AND r.name > $4
     ORDER BY r.name LIMIT $5`,
    [busId, prefix.length, prefix, after ?? '', limit],
    'listRules',
  );
  return rows.map(toRule);
}

/** Rewrites a rule's tags from its stored ones, the row locked for the transaction (a retried transaction runs `edit` again). */
export function editRuleTags(
  ctx: PgBase,
  ruleId: number,
  edit: TagsEdit,
): Promise<RuleRecord | undefined> {
  return ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM rules r WHERE r.id = $1 FOR UPDATE`,
      [ruleId],
    );
    if (!rows[0]) return undefined;
    const tags = edit(toRule(rows[0]).tags);
    const updated = await sql.query<RuleRow>(
      `WITH r AS (UPDATE rules SET tags = $2::jsonb WHERE id = $1 RETURNING *) SELECT ${RULE_COLUMNS} FROM r`,
      [ruleId, JSON.stringify(tags)],
    );
    return updated.rows[0] && toRule(updated.rows[0]);
  }, 'editRuleTags');
}

/** Every rule with targets. */
export async function loadRules(ctx: PgBase): Promise<RuleRecord[]> {
  const rows = await ctx.db.read<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM rules r ORDER BY r.bus_id, r.name`,
    [],
    'loadRules',
  );
  return rows.map(toRule);
}

/**
 * Locks a rule row for this transaction; false when absent. PutTargets and DeleteRule both take
 * it first, so a target count and the writes that depend on it cannot interleave across nodes.
 */
async function lockRule(sql: Sql, where: string, params: unknown[]): Promise<number | undefined> {
  const { rows } = await sql.query<{ id: number }>(
    `SELECT id FROM rules WHERE ${where} FOR UPDATE`,
    params,
  );
  return rows[0]?.id;
}

/** Deletes a rule without targets. */
export function deleteRule(
  ctx: PgBase,
  busId: number,
  name: string,
): Promise<'deleted' | 'absent' | 'hasTargets'> {
  return ctx.db.tx(async (sql) => {
    const id = await lockRule(sql, 'bus_id = $1 AND name = $2', [busId, name]);
    if (id === undefined) return 'absent';
    const { rows } = await sql.query<{ deleted: boolean }>(
      `WITH d AS (DELETE FROM rules WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM targets WHERE rule_id = $1) RETURNING 1),
       v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM d))
       SELECT EXISTS (SELECT 1 FROM d) AS deleted`,
      [id],
    );
    return rows[0]!.deleted ? 'deleted' : 'hasTargets';
  }, 'deleteRule');
}

/** Upserts targets within the per-rule limit; the rule row is locked so concurrent calls count in turn. */
export function putTargets(
  ctx: PgBase,
  ruleId: number,
  targets: readonly TargetRecord[],
  maxTargets: number,
): Promise<'ok' | 'absent' | 'limit'> {
  // One row per id (the last wins, as upserting one by one would): ON CONFLICT may not touch a row twice.
  const byId = [...new Map(targets.map((t) => [t.id, t])).values()];
  return ctx.db.tx(async (sql) => {
    if ((await lockRule(sql, 'id = $1', [ruleId])) === undefined) return 'absent';
    const { rows } = await sql.query<{ ok: boolean }>(
      `WITH n AS (SELECT count(*) <= $5 AS ok FROM (
         SELECT target_id FROM targets WHERE rule_id = $1 UNION SELECT unnest($2::text[])) x),
       ins AS (
         INSERT INTO targets (rule_id, target_id, arn, config)
         SELECT $1, u.id, u.arn, u.config::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, arn, config)
         WHERE (SELECT ok FROM n)
         ON CONFLICT (rule_id, target_id) DO UPDATE SET arn = excluded.arn, config = excluded.config),
       v AS (${BUMP_VERSION} AND (SELECT ok FROM n))
       SELECT ok FROM n`,
      [
        ruleId,
        byId.map((t) => t.id),
        byId.map((t) => t.arn),
        byId.map((t) => JSON.stringify(t.config)),
        maxTargets,
      ],
    );
    return rows[0]!.ok ? 'ok' : 'limit';
  }, 'putTargets');
}

/** Removes targets; returns the ids that existed, in request order. */
export async function removeTargets(
  ctx: PgBase,
  ruleId: number,
  ids: readonly string[],
): Promise<string[]> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<{ target_id: string }>(
        `WITH d AS (DELETE FROM targets WHERE rule_id = $1 AND target_id = ANY($2::text[]) RETURNING target_id),
         v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM d))
         SELECT target_id FROM d`,
        [ruleId, ids],
      ),
    'removeTargets',
  );
  const removed = new Set(rows.map((r) => r.target_id));
  return [...new Set(ids)].filter((id) => removed.has(id));
}

/** Enabled scheduled rules due at `now`. */
export async function dueSchedules(
  ctx: PgBase,
  now: number,
  limit: number,
): Promise<DueSchedule[]> {
  const rows = await ctx.db.read<{
    id: number;
    bus_id: number;
    name: string;
    schedule_expression: string;
    next_fire_at: number;
  }>(
    `SELECT id, bus_id, name, schedule_expression, next_fire_at FROM rules
     WHERE next_fire_at IS NOT NULL AND state = 'ENABLED' AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2`,
    [now, limit],
    'dueSchedules',
  );
  return rows.map((r) => ({
    ruleId: r.id,
    busId: r.bus_id,
    name: r.name,
    scheduleExpression: r.schedule_expression,
    dueAt: r.next_fire_at,
  }));
}

/** The next firing of any enabled scheduled rule. */
export async function nextScheduleAt(ctx: PgBase): Promise<number | null> {
  const rows = await ctx.db.read<{ at: number | null }>(
    "SELECT min(next_fire_at) AS at FROM rules WHERE next_fire_at IS NOT NULL AND state = 'ENABLED'",
    [],
    'nextScheduleAt',
  );
  return rows[0]?.at ?? null;
}

/** Fires a schedule once: the conditional move of next_fire_at decides which node appends the event. */
export async function fireSchedule(
  ctx: PgBase,
  ruleId: number,
  dueAt: number,
  nextAt: number | null,
  event: NewBusEvent,
): Promise<boolean> {
  const fired = await ctx.db.tx(async (sql) => {
    const { rowCount } = await sql.query(
      "UPDATE rules SET next_fire_at = $3 WHERE id = $1 AND next_fire_at = $2 AND state = 'ENABLED'",
      [ruleId, dueAt, nextAt],
    );
    if ((rowCount ?? 0) === 0) return false;
    await insertEvents(ctx, sql, [event]);
    return true;
  }, 'fireSchedule');
  if (fired) ctx.wake.fire(BUS_WAKE.inbox);
  return fired;
}
