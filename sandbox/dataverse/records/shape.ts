import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import type { ColumnMeta, TableMeta } from '../metadata/types.ts';
import { REFERENCE_TYPES } from '../metadata/types.ts';
import { isRef, type Row } from '../store.ts';
import { structuralColumn } from './members.ts';
import { formatted, toJson } from './values.ts';

/** Which annotations `Prefer: odata.include-annotations` asked for (compose-http-requests-handle-errors). */
export interface AnnotationChoice {
  readonly formatted: boolean;
  readonly lookup: boolean;
  readonly totalCount: boolean;
}

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_NAMES = [
  'Microsoft.Dynamics.CRM.lookuplogicalname',
  'Microsoft.Dynamics.CRM.associatednavigationproperty',
];

/** Reads the include-annotations value: `"*"`, or a comma list of names with `*` wildcards. */
export function annotationChoice(value: string | undefined): AnnotationChoice {
  if (!value) return { formatted: false, lookup: false, totalCount: false };
  const patterns = value
    .replace(/"/g, '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  const wants = (name: string) => patterns.some((p) => p.test(name));
  return {
    formatted: wants(FORMATTED),
    lookup: LOOKUP_NAMES.some(wants),
    totalCount:
      wants('Microsoft.Dynamics.CRM.totalrecordcount') ||
      wants('Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'),
  };
}

/** Validates `$select` names against the table (case-sensitive) and returns the columns they denote. */
export function selectColumns(table: TableMeta, select: readonly string[] | undefined): ColumnMeta[] {
  if (!select) return [...table.columns.values()].filter((c) => c.validForRead);
  const out: ColumnMeta[] = [];
  for (const name of select) {
    const column = structuralColumn(table, name);
    if (!column) throw Errors.propertyNotFound(name, table.def.logicalName);
    if (!out.includes(column)) out.push(column);
  }
  const pk = table.columns.get(table.def.primaryId)!;
  if (!out.includes(pk)) out.push(pk);
  return out;
}

/** The property name a column is read as: `_x_value` for lookups. */
export const readName = (c: ColumnMeta) =>
  REFERENCE_TYPES.has(c.type) ? `_${c.logicalName}_value` : c.logicalName;

/** The JSON of one record: `@odata.etag`, then the selected columns with the requested annotations. */
export function shapeRow(
  ctx: Ctx,
  table: TableMeta,
  row: Row,
  columns: readonly ColumnMeta[],
  ann: AnnotationChoice,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${row.versionnumber}"` };
  for (const column of columns) {
    const value = row[column.logicalName] ?? null;
    if (REFERENCE_TYPES.has(column.type)) {
      const key = `_${column.logicalName}_value`;
      if (isRef(value)) {
        if (ann.formatted) {
          const targetMeta = ctx.state.catalog.table(value.table);
          const target = ctx.state.store.get(value.table, value.id);
          const label = targetMeta && target ? target[targetMeta.def.primaryName] : undefined;
          if (typeof label === 'string') out[`${key}@${FORMATTED}`] = label;
        }
        if (ann.lookup) {
          const nav = [...table.navs.values()].find(
            (n) => n.column === column.logicalName && n.targets.includes(value.table),
          );
          if (nav) out[`${key}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = nav.name;
          out[`${key}@Microsoft.Dynamics.CRM.lookuplogicalname`] = value.table;
        }
        out[key] = value.id;
      } else {
        out[key] = null;
      }
      continue;
    }
    if (ann.formatted) {
      const f = formatted(column, value);
      if (f !== undefined) out[`${column.logicalName}@${FORMATTED}`] = f;
    }
    out[column.logicalName] = toJson(column, value);
  }
  return out;
}

/** `@odata.context` of a collection or single-entity response. */
export function contextUrl(
  ctx: Ctx,
  set: string,
  select: readonly string[] | undefined,
  single: boolean,
): string {
  const cols = select && select.length > 0 ? `(${select.join(',')})` : '';
  return `${ctx.apiUrl}$metadata#${set}${cols}${single ? '/$entity' : ''}`;
}
