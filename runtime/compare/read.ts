import {
  type BatchRequest,
  type DataverseClient,
  inFilter,
  MAX_BATCH_PARTS,
  queryString,
} from '../dataverse/index.ts';
import { isGuid } from '../dataverse/odata.ts';
import type { GeneratedModule, TableDefinition } from '../mapping/index.ts';
import { chunks } from '../shared/group.ts';

/**
 * Ids per query. The reference gives a URL limit only for a GET inside $batch (64 KB, §0), none for a
 * plain GET: the stricter choice keeps the URL near 2 KB (50 GUIDs), as the run's pre-image reads do.
 */
export const IDS_PER_QUERY = 50;

/** Where a row read back comes from: the mapping, row key and source record that write it. */
export interface RowOrigin {
  readonly mapping: string;
  readonly key: string;
  readonly sourceId: string;
}

/** A row as an error names it: by key, unless the key is a matched value (an email), then by record. */
export function rowName(module: GeneratedModule, row: RowOrigin): string {
  return module.MAPPINGS[row.mapping]?.key.kind === 'match'
    ? `the ${row.mapping} row of record ${row.sourceId}`
    : `row ${row.key} of ${row.mapping} (record ${row.sourceId})`;
}

/** A crosswalk row as tableOfRow names it. */
export type CrosswalkRow = RowOrigin & {
  readonly table: string;
  readonly targetId: string;
  readonly createdBy: number;
};

/**
 * The spec's table a crosswalk row is in; when the spec no longer writes that table, an error naming
 * the row and what to do: `advice`, or by default restoring the mapping or rolling back the run that
 * created the row.
 */
export function tableOfRow(module: GeneratedModule, row: CrosswalkRow, advice?: string): TableDefinition {
  const table = module.TABLES[row.table];
  if (!table) throw droppedTable(module, row, advice);
  return table;
}

/** The error of tableOfRow for a row in a table the spec no longer writes. */
export function droppedTable(module: GeneratedModule, row: CrosswalkRow, advice?: string): Error {
  return new Error(
    `${rowName(module, row)}, Dataverse ${row.targetId}, is in table ${row.table}, which the spec no longer writes; ${advice ?? `restore the mapping of ${row.mapping} to ${row.table}, or roll back run ${row.createdBy}, which created the row (\`flitstack rollback --run ${row.createdBy}\`), before comparing`}`,
  );
}

/**
 * The error for a crosswalk id that is not a GUID (named as `origin`), or undefined for a GUID. Runs
 * journal only GUIDs, and an id goes into a request's URL only once it passed this check.
 */
export function notARowId(table: TableDefinition, id: string, origin: string): Error | undefined {
  if (isGuid(id)) return undefined;
  return new Error(
    `${origin} is tied to '${id}' in table ${table.name}, which is not a Dataverse row id (a GUID); runs journal only GUIDs, so the journal's crosswalk was changed outside flitstack: restore the journal from a copy`,
  );
}

/**
 * Reads rows of one table by primary key, `select`ing only the given properties (lookups as
 * `_x_value`): one request per 50 ids. Returns the rows found by lower-cased id; ids not in the
 * table are absent. An id that is not a GUID is refused before any request, named by `origin`.
 */
export async function readRows(
  client: DataverseClient,
  table: TableDefinition,
  ids: Iterable<string>,
  select: readonly string[],
  origin: (id: string) => string = (id) => `row ${id}`,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Set([...ids].map((id) => id.toLowerCase()))];
  for (const id of unique) {
    const problem = notARowId(table, id, origin(id));
    if (problem) throw problem;
  }
  const columns = [...new Set([table.primaryId, ...select])];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const part = unique.slice(i, i + IDS_PER_QUERY);
    for await (const row of client.query<Record<string, unknown>>(table.entitySet, {
      select: columns,
      filter: inFilter(table.primaryId, part),
    }))
      found.set(String(row[table.primaryId]).toLowerCase(), row);
  }
  return found;
}

/** One table's rows to read by id, and the columns to select besides the primary key. */
export interface RowsById {
  readonly table: Pick<TableDefinition, 'entitySet' | 'primaryId'>;
  readonly ids: readonly string[];
  readonly select: readonly string[];
}

/**
 * readRows for many ids, of one or several tables, in few requests: the same queries of 50 ids, sent as
 * the GET parts of `$batch` requests of up to 1,000 parts ("Batch requests can contain up to 1000
 * individual requests", PA`execute-batch-operations-using-web-api`), so 50,000 ids cost one request.
 * Rows by lower-cased id (GUIDs: ids of several tables do not meet). A part that failed or did not run
 * stops the read with its error; `doing` says what the read was for, in that error.
 */
export async function readRowsInBatches(
  client: DataverseClient,
  reads: readonly RowsById[],
  doing: string,
): Promise<Map<string, Record<string, unknown>>> {
  const requests: { request: BatchRequest; primaryId: string }[] = reads.flatMap(({ table, ids, select }) =>
    chunks(ids, IDS_PER_QUERY).map((part) => ({
      request: {
        method: 'GET' as const,
        path: `${table.entitySet}${queryString({
          select: [...new Set([table.primaryId, ...select])],
          filter: inFilter(table.primaryId, part),
        })}`,
      },
      primaryId: table.primaryId,
    })),
  );
  const found = new Map<string, Record<string, unknown>>();
  for (const round of chunks(requests, MAX_BATCH_PARTS)) {
    const results = await client.batch(
      round.map((r) => r.request),
      { continueOnError: true },
    );
    round.forEach(({ primaryId }, k) => {
      const result = results[k]!;
      if (result.error) throw result.error;
      if (!result.executed)
        throw new Error(
          `${doing}: Dataverse did not run the query ($batch part ${k + 1} not executed); run the same command again`,
        );
      const rows = (result.body as { value?: Record<string, unknown>[] } | undefined)?.value ?? [];
      for (const row of rows) found.set(String(row[primaryId]).toLowerCase(), row);
    });
  }
  return found;
}

/**
 * How many rows of `table` refer to each of `ids` through the lookup `column` (rows of any table the
 * lookup allows), by lower-cased id (GUIDs); ids no row refers to are absent. One query per 50 ids,
 * selecting only the lookup, paged to the last row, so the counts are exact. The In query function
 * names the column by its logical name (the attribute its condition is on); the rows carry its value
 * as `_<column>_value` (query-data-web-api, lookup properties).
 */
export async function countReferring(
  client: DataverseClient,
  table: TableDefinition,
  column: string,
  ids: Iterable<string>,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const unique = [...new Set([...ids].map((id) => id.toLowerCase()))];
  // The ids come from rows read back (readRows checks the crosswalk's); a filter never carries other text.
  for (const id of unique) if (!isGuid(id)) throw new RangeError(`not a Dataverse row id: '${id}'`);
  const property = `_${column}_value`;
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    for await (const row of client.query<Record<string, unknown>>(table.entitySet, {
      select: [property],
      filter: inFilter(column, unique.slice(i, i + IDS_PER_QUERY)),
    })) {
      const id = String(row[property]).toLowerCase();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}
