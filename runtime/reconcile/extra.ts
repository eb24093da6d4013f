import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import { type DataverseClient, literal } from '../dataverse/index.ts';
import { MAX_PAGE_SIZE } from '../dataverse/query.ts';
import type { CrosswalkEntry } from '../journal/index.ts';
import type { GeneratedModule, TableDefinition } from '../mapping/index.ts';
import { byText } from '../shared/order.ts';

/**
 * Rows of one table the migration owns: every row of a table the spec creates (`prefixes` empty, or
 * the prefixes only attribute rows to mappings), or on a shared table the rows whose key column
 * carries one of the spec's key prefixes.
 */
export interface OwnedRows {
  readonly table: TableDefinition;
  /** The key column (alternate key), read to name each row and attribute it to a mapping. */
  readonly column: string | undefined;
  /** Key prefixes and the mapping whose rows they are; longest first. */
  readonly prefixes: readonly { readonly prefix: string; readonly mapping: string }[];
  /** A table the spec creates: every row in it is the migration's. */
  readonly whole: boolean;
  /** The mapping a row of a whole table is counted under when its key carries no known prefix. */
  readonly fallback: string;
}

/** A mapping whose rows reconcile cannot tell from rows someone else created, and why. */
export interface Unchecked {
  readonly mapping: string;
  readonly table: string;
  readonly reason: string;
}

/** What follows the prefix in a key the migration writes: source ids joined by '-'. */
const KEY_REST = /^[\w.-]{1,100}$/;

/** A row in Dataverse, in the migration's namespace, that the crosswalk does not hold. */
export interface ExtraRow {
  readonly mapping: string;
  readonly table: string;
  readonly targetId: string;
  /** The key column's value (a prefix and source ids, never patient data); null when the row has none. */
  readonly key: string | null;
}

/**
 * The rows the migration owns, per table, and the mappings whose extra rows cannot be looked for:
 * a key derived into the row id (annotations, connections) leaves nothing on a shared table that
 * tells the migration's rows from others', and a row matched on a column existed before the run.
 */
export function ownedRows(
  module: GeneratedModule,
  plan: IrSchemaPlan,
): { owned: OwnedRows[]; unchecked: Unchecked[] } {
  const created = new Set(plan.tables.filter((t) => t.custom !== undefined).map((t) => t.name));
  const byTable = new Map<string, { column?: string; prefixes: Map<string, string>; mappings: string[] }>();
  const unchecked: Unchecked[] = [];
  for (const name of module.LOAD_ORDER) {
    const m = module.MAPPINGS[name]!;
    const key = m.key;
    const whole = created.has(m.target);
    if (!whole && key.kind !== 'alternate') {
      unchecked.push({
        mapping: name,
        table: m.target,
        reason:
          key.kind === 'match'
            ? `its rows are matched on ${key.column} and existed before the migration`
            : `its row ids are derived from the key, which no column of ${m.target} holds`,
      });
      continue;
    }
    const entry = byTable.get(m.target) ?? { prefixes: new Map<string, string>(), mappings: [] };
    byTable.set(m.target, entry);
    entry.mappings.push(name);
    if (key.kind !== 'alternate') continue;
    entry.column ??= key.column;
    // An update mapping changes rows of the mapping it names, under the same prefix.
    if (key.column === entry.column && (m.mode === 'upsert' || !entry.prefixes.has(key.prefix)))
      entry.prefixes.set(key.prefix, m.updates ?? name);
  }
  const owned: OwnedRows[] = [];
  for (const [name, entry] of byTable) {
    const table = module.TABLES[name];
    if (!table) continue;
    owned.push({
      table,
      column: entry.column,
      prefixes: [...entry.prefixes]
        .map(([prefix, mapping]) => ({ prefix, mapping }))
        .sort((a, b) => b.prefix.length - a.prefix.length),
      whole: created.has(name),
      fallback: entry.mappings.find((n) => module.MAPPINGS[n]!.mode === 'upsert') ?? entry.mappings[0]!,
    });
  }
  return { owned, unchecked };
}

/**
 * Lists the primary ids (and key values) of the rows the migration owns: one paged query per table,
 * 5,000 rows a page, filtered with `startswith` on the key column of a shared table. Returns the ids
 * listed per table, and the rows the crosswalk does not hold, each attributed to a mapping by its key.
 */
export async function listOwned(
  dataverse: DataverseClient,
  owned: readonly OwnedRows[],
  crosswalk: Iterable<CrosswalkEntry>,
): Promise<{ listed: Map<string, { ids: Set<string>; complete: boolean }>; extra: ExtraRow[] }> {
  const held = new Set<string>();
  for (const r of crosswalk) held.add(`${r.table} ${r.targetId.toLowerCase()}`);
  const listed = new Map<string, { ids: Set<string>; complete: boolean }>();
  const extra: ExtraRow[] = [];
  for (const o of owned) {
    const { table, column } = o;
    const filter =
      o.whole || column === undefined
        ? undefined
        : o.prefixes.map((p) => `startswith(${column},${literal(p.prefix)})`).join(' or ');
    const ids = new Set<string>();
    listed.set(table.name, { ids, complete: o.whole });
    const pages = dataverse.queryPages<Record<string, unknown>>(table.entitySet, {
      select: column ? [table.primaryId, column] : [table.primaryId],
      ...(filter ? { filter } : {}),
      maxPageSize: MAX_PAGE_SIZE,
    });
    for await (const page of pages)
      for (const row of page) {
        const id = String(row[table.primaryId]).toLowerCase();
        ids.add(id);
        if (held.has(`${table.name} ${id}`)) continue;
        const value = column && typeof row[column] === 'string' ? (row[column] as string) : '';
        const prefix = o.prefixes.find((p) => value.startsWith(p.prefix));
        // Only a key of the migration's shape is named: whatever else the column holds was typed by
        // someone and may be patient data.
        const key = prefix && KEY_REST.test(value.slice(prefix.prefix.length)) ? value : null;
        extra.push({ mapping: prefix?.mapping ?? o.fallback, table: table.name, targetId: id, key });
      }
  }
  extra.sort((a, b) => byText(a.mapping, b.mapping) || byText(a.targetId, b.targetId));
  return { listed, extra };
}
