import type { BusEdit, BusFields, BusRecord } from '../../bus-contract.js';
import type { Sql } from '../core/db.js';
import type { PgBase } from '../core/context.js';
import { nowSql } from './rows.js';
import { type BusRow, toBus } from '../../shared/bus-rows.js';

/**
 * A data-modifying CTE body that moves the rules version; append `AND …` to make it conditional.
 * Every rule, target and archive change runs it in its own transaction, so a node that sees the
 * new version also sees the change.
 */
export const BUMP_VERSION = 'UPDATE bus_meta SET rules_version = rules_version + 1 WHERE id = 1';

/**
 * Runs `insert` (an INSERT … ON CONFLICT (name) DO NOTHING RETURNING *) and, when the name was
 * taken, reads that row with a second statement: unlike the INSERT's snapshot, it sees a row
 * committed after the INSERT began (the conflict waited for that commit).
 */
export function insertByName<R extends { name: string }>(
  ctx: PgBase,
  table: 'buses' | 'archives',
  name: string,
  insert: string,
  params: unknown[],
): Promise<{ created: boolean; row: R }> {
  return ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<R>(insert, params);
    if (rows[0]) return { created: true, row: rows[0] };
    const existing = (await sql.query<R>(`SELECT * FROM ${table} WHERE name = $1`, [name])).rows[0];
    // Deleted between the two statements: run the transaction again (as a serialization failure).
    if (!existing)
      throw Object.assign(new Error(`${table} row vanished during create`), { code: '40001' });
    return { created: false, row: existing };
  }, `create ${table}`);
}

/** Creates a bus unless one of this name exists. */
export async function createBus(
  ctx: PgBase,
  name: string,
  f: BusFields,
): Promise<{ created: boolean; bus: BusRecord }> {
  const { created, row } = await insertByName<BusRow>(
    ctx,
    'buses',
    name,
    `INSERT INTO buses (name, description, dead_letter_arn, tags, policy, kms_key_identifier, created_at, modified_at)
     SELECT $2, $3, $4, $5::jsonb, $6, $7, t.now, t.now FROM (SELECT ${nowSql(1)} AS now) t
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    [
      ctx.nowParam(),
      name,
      f.description,
      f.deadLetterArn,
      JSON.stringify(f.tags),
      f.policy ?? null,
      f.kmsKeyIdentifier ?? null,
    ],
  );
  return { created, bus: toBus(row) };
}

/** The bus of this name. */
export async function getBus(ctx: PgBase, name: string): Promise<BusRecord | undefined> {
  const rows = await ctx.db.read<BusRow>('SELECT * FROM buses WHERE name = $1', [name], 'getBus');
  return rows[0] && toBus(rows[0]);
}

/** Buses by literal name prefix, paged by name. */
export async function listBuses(
  ctx: PgBase,
  prefix: string,
  after: string | null,
  limit: number,
): Promise<BusRecord[]> {
  // left() rather than LIKE: names may contain `_`, a LIKE wildcard.
  const rows = await ctx.db.read<BusRow>(
    'SELECT * FROM buses WHERE left(name, $1) = $2 AND name > $3 ORDER BY name LIMIT $4',
    [prefix.length, prefix, after ?? '', limit],
    'listBuses',
  );
  return rows.map(toBus);
}

/** Replaces a bus's fields. */
export async function updateBus(
  ctx: PgBase,
  busId: number,
  f: BusFields,
): Promise<BusRecord | undefined> {
  const { rows } = await ctx.db.write((sql) => writeBus(ctx, sql, busId, f), 'updateBus');
  return rows[0] && toBus(rows[0]);
}

function writeBus(ctx: PgBase, sql: Sql, busId: number, f: BusFields) {
  return sql.query<BusRow>(
    `UPDATE buses SET description = $2, dead_letter_arn = $3, tags = $4::jsonb, policy = $5,
       kms_key_identifier = $6, modified_at = ${nowSql(1)}
     WHERE id = $7 RETURNING *`,
    [
      ctx.nowParam(),
      f.description,
      f.deadLetterArn,
      JSON.stringify(f.tags),
      f.policy ?? null,
      f.kmsKeyIdentifier ?? null,
      busId,
    ],
  );
}

/** Rewrites a bus from its stored record, the row locked for the transaction (a retried transaction runs `edit` again). */
export function editBus(ctx: PgBase, busId: number, edit: BusEdit): Promise<BusRecord | undefined> {
  return ctx.db.tx(async (sql) => {
    const { rows } = await sql.query<BusRow>('SELECT * FROM buses WHERE id = $1 FOR UPDATE', [
      busId,
    ]);
    if (!rows[0]) return undefined;
    const written = await writeBus(ctx, sql, busId, edit(toBus(rows[0])));
    return written.rows[0] && toBus(written.rows[0]);
  }, 'editBus');
}

/**
 * Deletes a bus without rules. The bus row is locked first: a PutRule committed before sees
 * its rule counted; one arriving later waits on the lock (its foreign key) and then fails.
 */
export function deleteBus(ctx: PgBase, busId: number): Promise<'deleted' | 'absent' | 'hasRules'> {
  return ctx.db.tx(async (sql) => {
    const locked = await sql.query('SELECT 1 FROM buses WHERE id = $1 FOR UPDATE', [busId]);
    if (locked.rowCount === 0) return 'absent';
    const { rows } = await sql.query<{ deleted: boolean }>(
      `WITH d AS (DELETE FROM buses WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM rules WHERE bus_id = $1) RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM d) AS deleted`,
      [busId],
    );
    return rows[0]!.deleted ? 'deleted' : 'hasRules';
  }, 'deleteBus');
}

/** The rules version counter (one row: a primary-key read). */
export async function rulesVersion(ctx: PgBase): Promise<number> {
  const rows = await ctx.db.read<{ v: number }>(
    'SELECT rules_version AS v FROM bus_meta WHERE id = 1',
    [],
    'rulesVersion',
  );
  return rows[0]!.v;
}
