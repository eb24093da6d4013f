import { pointerJoin } from '../diagnostics/diagnostic.ts';
import { bool, entries, int, list, obj, oneOf, str } from './coerce.ts';
import type {
  SourceField,
  SourceModel,
  SourceResource,
  TargetColumn,
  TargetMetadata,
  TargetOption,
  TargetTable,
  ValueMapSpec,
  ValueMapTarget,
} from './spec.ts';

const SOURCE_TYPES = [
  'id',
  'string',
  'text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'enum',
  'array',
  'object',
] as const;

function readSourceField(v: unknown, depth = 0): SourceField | undefined {
  const f = obj(v);
  const type = oneOf(f?.type, SOURCE_TYPES);
  if (!f || !type || depth > 8) return undefined;
  const values = Array.isArray(f.values)
    ? f.values.filter((x): x is string => typeof x === 'string')
    : undefined;
  return {
    type,
    description: str(f.description),
    nullable: bool(f.nullable) ?? false,
    phi: bool(f.phi) ?? false,
    references: str(f.references),
    values,
    open: bool(f.open) ?? false,
    maxLength: int(f.max_length),
    items: f.items === undefined ? undefined : readSourceField(f.items, depth + 1),
    fields: f.fields === undefined ? undefined : readSourceFields(f.fields, depth + 1),
  };
}

function readSourceFields(v: unknown, depth = 0): ReadonlyMap<string, SourceField> {
  const fields = new Map<string, SourceField>();
  for (const [name, def] of entries(v)) {
    const field = readSourceField(def, depth);
    if (field) fields.set(name, field);
  }
  return fields;
}

/** Reads the source model file. */
export function readSourceModel(data: unknown, file: string): SourceModel {
  const resources = new Map<string, SourceResource>();
  for (const [name, def] of entries(obj(data)?.resources)) {
    const r = obj(def);
    if (!r) continue;
    resources.set(name, { name, description: str(r.description), fields: readSourceFields(r.fields) });
  }
  return { file, pointer: '', resources };
}

const TARGET_TYPES = [
  'string',
  'memo',
  'integer',
  'bigint',
  'decimal',
  'double',
  'money',
  'boolean',
  'date',
  'datetime',
  'choice',
  'multi_choice',
  'state',
  'status',
  'lookup',
  'customer',
  'owner',
  'uniqueidentifier',
  'image',
  'file',
] as const;

function readTargetColumn(name: string, v: unknown): TargetColumn | undefined {
  const c = obj(v);
  const type = oneOf(c?.type, TARGET_TYPES);
  if (!c || !type) return undefined;
  const options: TargetOption[] = entries(c.options)
    .map(([value, option]) => ({
      value: Number(value),
      label: str(option) ?? str(obj(option)?.label) ?? value,
      state: int(obj(option)?.state),
    }))
    .filter((o) => Number.isInteger(o.value));
  const targets = new Map<string, string>();
  for (const [table, nav] of entries(c.targets)) if (typeof nav === 'string') targets.set(table, nav);
  return {
    name,
    type,
    label: str(c.label),
    maxLength: int(c.max_length),
    format: str(c.format),
    required: oneOf(c.required, ['none', 'recommended', 'application', 'system'] as const) ?? 'none',
    readOnly: bool(c.read_only) ?? false,
    createOnly: bool(c.create_only) ?? false,
    precision: int(c.precision),
    min: typeof c.min === 'number' ? c.min : undefined,
    max: typeof c.max === 'number' ? c.max : undefined,
    behavior: str(c.behavior),
    targets,
    options,
  };
}

/** Distinct strings of a list, in order. */
const names = (v: unknown): string[] => [...new Set(list(v).flatMap((x) => str(x) ?? []))];

/** Reads the target metadata snapshot file. */
export function readTargetMetadata(data: unknown, file: string): TargetMetadata {
  const root = obj(data) ?? {};
  const tables = new Map<string, TargetTable>();
  for (const [name, def] of entries(root.tables)) {
    const t = obj(def);
    const entitySet = str(t?.entity_set);
    const primaryId = str(t?.primary_id);
    if (!t || !entitySet || !primaryId) continue;
    const columns = new Map<string, TargetColumn>();
    for (const [columnName, columnDef] of entries(t.columns)) {
      const column = readTargetColumn(columnName, columnDef);
      if (column) columns.set(columnName, column);
    }
    tables.set(name, {
      name,
      description: str(t.description),
      entitySet,
      primaryId,
      primaryName: str(t.primary_name) ?? primaryId,
      ownership: oneOf(t.ownership, ['user', 'organization', 'none'] as const) ?? 'user',
      activity: bool(t.activity) ?? false,
      bulkMessages: bool(t.bulk_messages) ?? false,
      customColumnsAllowed: bool(t.custom_columns_allowed) ?? true,
      customColumns: names(t.custom_columns),
      columns,
    });
  }
  return {
    file,
    pointer: '',
    maxUploadFileSize: int(root.max_upload_file_size) ?? 5_242_880,
    customTables: names(root.custom_tables),
    tables,
  };
}

function readTarget(v: unknown): ValueMapTarget | undefined {
  if (v === null || typeof v === 'string' || Number.isInteger(v)) return v as ValueMapTarget;
  const o = obj(v);
  const state = o?.state;
  const status = o?.status;
  if (
    (typeof state === 'string' || Number.isInteger(state)) &&
    (typeof status === 'string' || Number.isInteger(status))
  ) {
    return { state: state as string | number, status: status as string | number };
  }
  return undefined;
}

/** Reads a value map file. */
export function readValueMap(data: unknown, file: string, name: string): ValueMapSpec {
  const root = obj(data) ?? {};
  const mapped: { source: string; target: ValueMapTarget; pointer: string }[] = [];
  const unreadable: string[] = [];
  for (const [source, raw] of entries(root.entries)) {
    const target = readTarget(raw);
    if (target !== undefined) mapped.push({ source, target, pointer: pointerJoin('/entries', source) });
    else unreadable.push(source);
  }
  return {
    file,
    pointer: '',
    name,
    kind: oneOf(root.kind, ['choice', 'state'] as const) ?? 'choice',
    entries: mapped,
    default: root.default === undefined ? undefined : readTarget(root.default),
    unmapped: oneOf(root.unmapped, ['reject', 'drop_with_flag'] as const),
    caseSensitive: bool(root.case_sensitive) ?? false,
    unreadable,
  };
}
