import { entitySetOf } from '../../runtime/shared/entity-set.ts';
import type { LoadedSpec } from '../load/spec-dir.ts';
import { locate } from '../load/yaml-file.ts';
import { readMigration } from '../model/read-migration.ts';
import { readSourceModel, readTargetMetadata, readValueMap } from '../model/read-models.ts';
import { readObject } from '../model/read-object.ts';
import type {
  CustomColumnSpec,
  CustomTableSpec,
  MigrationSpec,
  ObjectSpec,
  SourceModel,
  TargetColumn,
  TargetColumnType,
  TargetMetadata,
  TargetTable,
  ValueMapSpec,
} from '../model/spec.ts';

/** A custom column declaration and the mapping (file) it came from. */
export interface CustomDeclaration {
  readonly table: string;
  readonly column: string;
  readonly spec: CustomColumnSpec;
  readonly mapping: string;
}

/** A custom table declaration and its mapping. */
export interface CustomTableDeclaration {
  readonly table: string;
  readonly spec: CustomTableSpec;
  readonly mapping: string;
}

/** Everything semantic rules read: the typed spec plus derived indexes. Read-only. */
export interface SpecContext {
  readonly root: string;
  readonly migration: MigrationSpec | undefined;
  readonly objects: readonly ObjectSpec[];
  readonly objectsByName: ReadonlyMap<string, ObjectSpec>;
  readonly valueMaps: ReadonlyMap<string, ValueMapSpec>;
  readonly source: SourceModel | undefined;
  readonly target: TargetMetadata | undefined;
  /** Every custom column declaration, in file order (several may declare the same column). */
  readonly customDeclarations: readonly CustomDeclaration[];
  readonly customTables: ReadonlyMap<string, CustomTableDeclaration>;
  /** `file:line:column` of the node at `pointer` in a spec file, for messages that point elsewhere. */
  readonly place: (file: string, pointer: string) => string;
}

const CUSTOM_TO_TARGET: Record<CustomColumnSpec['type'], TargetColumnType> = {
  string: 'string',
  memo: 'memo',
  integer: 'integer',
  decimal: 'decimal',
  money: 'money',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  choice: 'choice',
  multi_choice: 'multi_choice',
  lookup: 'lookup',
};

/** The target column a custom declaration describes. */
export function customToColumn(column: string, spec: CustomColumnSpec): TargetColumn {
  return {
    name: column,
    type: CUSTOM_TO_TARGET[spec.type],
    label: spec.label,
    maxLength: spec.maxLength,
    format: spec.format,
    required: spec.required,
    readOnly: false,
    createOnly: false,
    precision: spec.precision,
    min: spec.min,
    max: spec.max,
    behavior: spec.type === 'date' ? 'date_only' : spec.behavior,
    targets:
      spec.type === 'lookup' && spec.target ? new Map([[spec.target, spec.schemaName ?? column]]) : new Map(),
    options: spec.options.map((o) => ({ value: o.value ?? 0, label: o.label, state: undefined })),
  };
}

function collectCustom(objects: readonly ObjectSpec[]): {
  columns: CustomDeclaration[];
  tables: Map<string, CustomTableDeclaration>;
} {
  const columns: CustomDeclaration[] = [];
  const tables = new Map<string, CustomTableDeclaration>();
  for (const o of objects) {
    if (!o.target) continue;
    const add = (column: string | undefined, spec: CustomColumnSpec | undefined) => {
      if (column && spec) columns.push({ table: o.target!, column, spec, mapping: o.name });
    };
    add(o.key?.column, o.key?.custom);
    for (const f of o.fields) add(f.to, f.custom);
    add(o.archive?.urlColumn, o.archive?.custom);
    if (o.customTable && !tables.has(o.target))
      tables.set(o.target, { table: o.target, spec: o.customTable, mapping: o.name });
  }
  return { columns, tables };
}

/** Builds the rule context from a loaded spec. Never throws. */
export function buildContext(spec: LoadedSpec): SpecContext {
  const objects = spec.objects.map((o) => readObject(o.file.data, o.file.path, o.name));
  const valueMaps = new Map(
    spec.valuemaps.map((v) => [v.name, readValueMap(v.file.data, v.file.path, v.name)]),
  );
  const { columns, tables } = collectCustom(objects);
  return {
    root: spec.root,
    migration: spec.migration ? readMigration(spec.migration.file.data, spec.migration.file.path) : undefined,
    objects,
    objectsByName: new Map(objects.map((o) => [o.name, o])),
    valueMaps,
    source: spec.sourceModel
      ? readSourceModel(spec.sourceModel.file.data, spec.sourceModel.file.path)
      : undefined,
    target: spec.targetMetadata
      ? readTargetMetadata(spec.targetMetadata.file.data, spec.targetMetadata.file.path)
      : undefined,
    customDeclarations: columns,
    customTables: tables,
    place: (file, pointer) => {
      const yaml = spec.files.get(file);
      if (!yaml) return file;
      const { line, column } = locate(yaml, pointer);
      return `${file}:${line}:${column}`;
    },
  };
}

/** A table of the snapshot, or a custom table declared by a mapping (with its primary columns). */
export function tableOf(ctx: SpecContext, name: string): TargetTable | undefined {
  const known = ctx.target?.tables.get(name);
  if (known) return known;
  const custom = ctx.customTables.get(name);
  if (!custom) return undefined;
  const primaryId = `${name}id`;
  const primary = custom.spec.primaryName;
  const base = (
    column: string,
    type: TargetColumnType,
    extra: Partial<TargetColumn> = {},
  ): [string, TargetColumn] => [
    column,
    {
      name: column,
      type,
      label: undefined,
      maxLength: undefined,
      format: undefined,
      required: 'none',
      readOnly: false,
      createOnly: false,
      precision: undefined,
      min: undefined,
      max: undefined,
      behavior: undefined,
      targets: new Map(),
      options: [],
      ...extra,
    },
  ];
  return {
    name,
    description: custom.spec.description,
    entitySet: entitySetOf(name),
    primaryId,
    primaryName: primary.column,
    ownership: custom.spec.ownership,
    activity: false,
    bulkMessages: true,
    customColumnsAllowed: true,
    customColumns: [],
    columns: new Map([
      base(primaryId, 'uniqueidentifier'),
      base(primary.column, 'string', {
        maxLength: primary.maxLength,
        required: 'application',
        label: primary.label,
      }),
      base('ownerid', 'owner', {
        required: 'system',
        targets: new Map([
          ['systemuser', 'ownerid'],
          ['team', 'ownerid'],
        ]),
      }),
      base('statecode', 'state', {
        options: [
          { value: 0, label: 'Active', state: undefined },
          { value: 1, label: 'Inactive', state: undefined },
        ],
      }),
      base('statuscode', 'status', {
        options: [
          { value: 1, label: 'Active', state: 0 },
          { value: 2, label: 'Inactive', state: 1 },
        ],
      }),
      base('overriddencreatedon', 'datetime', { createOnly: true, behavior: 'user_local' }),
      base('createdon', 'datetime', { readOnly: true }),
      base('modifiedon', 'datetime', { readOnly: true }),
    ]),
  };
}

/** The column `name` of `table` as the spec will see it: from the snapshot or the first custom declaration. */
export function columnOf(
  ctx: SpecContext,
  table: string,
  name: string,
): { column: TargetColumn; custom: CustomDeclaration | undefined } | undefined {
  const known = tableOf(ctx, table)?.columns.get(name);
  if (known) return { column: known, custom: undefined };
  const declared = ctx.customDeclarations.find((d) => d.table === table && d.column === name);
  return declared ? { column: customToColumn(name, declared.spec), custom: declared } : undefined;
}
