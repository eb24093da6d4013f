import type { DataverseClient } from '../dataverse/index.ts';
import type { TableDefinition } from '../mapping/index.ts';

/**
 * Ids per query. The reference gives a URL limit only for a GET inside $batch (64 KB, §0), none for a
 * plain GET: the stricter choice keeps the URL near 2 KB (50 GUIDs), as the run's pre-image reads do.
 */
export const IDS_PER_QUERY = 50;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `$filter` that selects rows by primary key: Microsoft.Dynamics.CRM.In (query-data-web-api). */
export function idFilter(primaryId: string, ids: readonly string[]): string {
  for (const id of ids) if (!GUID.test(id)) throw new Error(`not a row id: '${id}'`);
  return `Microsoft.Dynamics.CRM.In(PropertyName='${primaryId}',PropertyValues=[${ids.map((id) => `'${id}'`).join(',')}])`;
}

/**
 * Reads rows of one table by primary key, `select`ing only the given properties (lookups as
 * `_x_value`): one request per 50 ids. Returns the rows found by lower-cased id; ids not in the
 * table are absent.
 */
export async function readRows(
  client: DataverseClient,
  table: TableDefinition,
  ids: readonly string[],
  select: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const columns = [...new Set([table.primaryId, ...select])];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const part = unique.slice(i, i + IDS_PER_QUERY);
    for await (const row of client.query<Record<string, unknown>>(table.entitySet, {
      select: columns,
      filter: idFilter(table.primaryId, part),
    }))
      found.set(String(row[table.primaryId]).toLowerCase(), row);
  }
  return found;
}

/** How many of the given rows exist: `$count` over the same id filter, one request per 50 ids. */
export async function countRows(
  client: DataverseClient,
  table: TableDefinition,
  ids: readonly string[],
): Promise<number> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  let n = 0;
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY)
    n += await client.count(table.entitySet, idFilter(table.primaryId, unique.slice(i, i + IDS_PER_QUERY)));
  return n;
}
