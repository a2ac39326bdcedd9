import type { BusResource, BusResourceKind } from '../../bus-contract.js';
import { type ResourceRow, toResource } from '../../shared/bus-rows.js';
import type { PgBase } from '../core/context.js';
import { BUMP_VERSION } from './config.js';
import { nowSql } from './rows.js';

/** Creates or replaces a resource, moving the rules version in the same statement. */
export async function putResource(
  ctx: PgBase,
  kind: BusResourceKind,
  name: string,
  record: Readonly<Record<string, unknown>>,
  mode: 'create' | 'replace',
): Promise<boolean> {
  const change =
    mode === 'create'
      ? `INSERT INTO bus_resources (kind, name, record, created_at, modified_at) SELECT $2, $3, $4, t.now, t.now FROM t
         ON CONFLICT (kind, name) DO NOTHING RETURNING 1`
      : `UPDATE bus_resources SET record = $4, modified_at = (SELECT now FROM t) WHERE kind = $2 AND name = $3 RETURNING 1`;
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<{ changed: number }>(
        `WITH t AS (SELECT ${nowSql(1)} AS now), c AS (${change}),
           v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM c) RETURNING 1)
         SELECT count(*)::int AS changed FROM c`,
        [ctx.nowParam(), kind, name, JSON.stringify(record)],
      ),
    'putResource',
  );
  return (rows[0]?.changed ?? 0) > 0;
}

/** One resource. */
export async function getResource(
  ctx: PgBase,
  kind: BusResourceKind,
  name: string,
): Promise<BusResource | undefined> {
  const rows = await ctx.db.read<ResourceRow>(
    'SELECT * FROM bus_resources WHERE kind = $1 AND name = $2',
    [kind, name],
    'getResource',
  );
  return rows[0] && toResource(rows[0]);
}

/** Resources of a kind by name. */
export async function listResources(
  ctx: PgBase,
  kind: BusResourceKind,
  prefix: string,
  after: string | null,
  limit: number,
): Promise<BusResource[]> {
  const rows = await ctx.db.read<ResourceRow>(
    'SELECT * FROM bus_resources WHERE kind = $1 AND left(name, length($2)) = $2 AND name > $3 ORDER BY name LIMIT $4',
    [kind, prefix, after ?? '', limit],
    'listResources',
  );
  return rows.map(toResource);
}

/** Deletes a resource. */
export async function deleteResource(
  ctx: PgBase,
  kind: BusResourceKind,
  name: string,
): Promise<boolean> {
  const { rows } = await ctx.db.write(
    (sql) =>
      sql.query<{ changed: number }>(
        `WITH c AS (DELETE FROM bus_resources WHERE kind = $1 AND name = $2 RETURNING 1),
           v AS (${BUMP_VERSION} AND EXISTS (SELECT 1 FROM c) RETURNING 1)
         SELECT count(*)::int AS changed FROM c`,
        [kind, name],
      ),
    'deleteResource',
  );
  return (rows[0]?.changed ?? 0) > 0;
}
