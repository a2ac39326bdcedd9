import type { BusResource, BusResourceKind } from '../../bus-contract.js';
import { type ResourceRow, toResource } from '../../shared/bus-rows.js';
import type { SqliteContext } from '../core/context.js';
import { stmt } from '../core/statements.js';
import { bumpVersion } from './config.js';

/** Creates or replaces a resource. */
export function putResource(
  ctx: SqliteContext,
  kind: BusResourceKind,
  name: string,
  record: Readonly<Record<string, unknown>>,
  mode: 'create' | 'replace',
): Promise<boolean> {
  return ctx.commit.run(() => {
    const now = ctx.now();
    const text = JSON.stringify(record);
    const changed =
      mode === 'create'
        ? stmt(
            ctx.db,
            'INSERT INTO bus_resources (kind, name, record, created_at, modified_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          ).run(kind, name, text, now, now).changes
        : stmt(
            ctx.db,
            'UPDATE bus_resources SET record = ?, modified_at = ? WHERE kind = ? AND name = ?',
          ).run(text, now, kind, name).changes;
    if (changed > 0) bumpVersion(ctx);
    return changed > 0;
  });
}

/** One resource. */
export function getResource(
  ctx: SqliteContext,
  kind: BusResourceKind,
  name: string,
): BusResource | undefined {
  const row = stmt(ctx.db, 'SELECT * FROM bus_resources WHERE kind = ? AND name = ?').get(
    kind,
    name,
  ) as ResourceRow | undefined;
  return row && toResource(row);
}

/** Resources of a kind by name. */
export function listResources(
  ctx: SqliteContext,
  kind: BusResourceKind,
  prefix: string,
  after: string | null,
  limit: number,
): BusResource[] {
  return (
    stmt(
      ctx.db,
      'SELECT * FROM bus_resources WHERE kind = ? AND substr(name, 1, length(?)) = ? AND name > ? ORDER BY name LIMIT ?',
    ).all(kind, prefix, prefix, after ?? '', limit) as ResourceRow[]
  ).map(toResource);
}

/** Deletes a resource. */
export function deleteResource(
  ctx: SqliteContext,
  kind: BusResourceKind,
  name: string,
): Promise<boolean> {
  return ctx.commit.run(() => {
    const gone =
      stmt(ctx.db, 'DELETE FROM bus_resources WHERE kind = ? AND name = ?').run(kind, name)
        .changes > 0;
    if (gone) bumpVersion(ctx);
    return gone;
  });
}
