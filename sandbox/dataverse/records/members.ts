import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import type { ColumnMeta, TableMeta } from '../metadata/types.ts';
import { REFERENCE_TYPES } from '../metadata/types.ts';
import type { Member, MemberResolver, ValueKind } from '../odata/evaluate.ts';
import { isRef, type Row } from '../store.ts';

/** The Web API (Edm) type and comparison kind of a column. */
export function columnKind(column: ColumnMeta): { kind: ValueKind; edm: string } {
  switch (column.type) {
    case 'String':
    case 'Memo':
    case 'MultiSelectPicklist':
    case 'EntityName':
      return { kind: 'string', edm: 'Edm.String' };
    case 'Integer':
    case 'Picklist':
    case 'State':
    case 'Status':
      return { kind: 'number', edm: 'Edm.Int32' };
    case 'BigInt':
      return { kind: 'number', edm: 'Edm.Int64' };
    case 'Decimal':
    case 'Money':
      return { kind: 'number', edm: 'Edm.Decimal' };
    case 'Double':
      return { kind: 'number', edm: 'Edm.Double' };
    case 'Boolean':
      return { kind: 'boolean', edm: 'Edm.Boolean' };
    case 'DateTime':
      return column.behavior === 'DateOnly'
        ? { kind: 'date', edm: 'Edm.Date' }
        : { kind: 'datetime', edm: 'Edm.DateTimeOffset' };
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return { kind: 'guid', edm: 'Edm.Guid' };
  }
}

/**
 * The structural property a name denotes on a table: a non-lookup column, or `_x_value` for a lookup x
 * (PA`webapi/query/select-columns`: lookups are read as `_<name>_value`).
 */
export function structuralColumn(table: TableMeta, name: string): ColumnMeta | undefined {
  const m = /^_(.+)_value$/.exec(name);
  if (m) {
    const c = table.columns.get(m[1]!);
    return c && REFERENCE_TYPES.has(c.type) && c.validForRead ? c : undefined;
  }
  const c = table.columns.get(name);
  return c && !REFERENCE_TYPES.has(c.type) && c.validForRead ? c : undefined;
}

/** Resolves `$filter`/`$orderby` paths on a table's rows, following single-valued navigation properties. */
export function rowResolver(ctx: Ctx, table: TableMeta): MemberResolver<Row> {
  const resolve = (t: TableMeta, path: readonly string[]): Member<Row> => {
    const [head, ...rest] = path;
    if (rest.length === 0) {
      const column = structuralColumn(t, head!);
      if (!column) throw Errors.propertyNotFound(head!, t.def.logicalName);
      return columnMember(column);
    }
    const nav = t.navs.get(head!);
    const target = nav && nav.targets.length === 1 ? ctx.state.catalog.table(nav.targets[0]!) : undefined;
    if (!nav || !target) throw Errors.propertyNotFound(head!, t.def.logicalName);
    const inner = resolve(target, rest);
    const store = ctx.state.store;
    return {
      kind: inner.kind,
      edm: inner.edm,
      get: (row) => {
        const ref = row[nav.column];
        if (!isRef(ref) || ref.table !== target.def.logicalName) return null;
        const related = store.get(ref.table, ref.id);
        return related ? inner.get(related) : null;
      },
    };
  };
  return (path, attribute) => (attribute ? attributeMember(table, path) : resolve(table, path));
}

/** A query function's PropertyName: one column of the table by logical name. */
function attributeMember(table: TableMeta, path: readonly string[]): Member<Row> {
  const name = path.join('/');
  const column = path.length === 1 ? table.columns.get(name) : undefined;
  if (!column?.validForRead) throw Errors.attributeNotFound(name, table.def.logicalName);
  return columnMember(column);
}

/** A column's value on a row; a lookup's is the id it refers to. */
function columnMember(column: ColumnMeta): Member<Row> {
  const { kind, edm } = columnKind(column);
  const name = column.logicalName;
  if (REFERENCE_TYPES.has(column.type))
    return { kind, edm, get: (row) => (isRef(row[name]) ? (row[name] as { id: string }).id : null) };
  return { kind, edm, get: (row) => row[name] };
}
