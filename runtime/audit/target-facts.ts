import type { TargetColumn, TargetColumnType } from '../../compiler/model/spec.ts';
import type { AttributeDefinition } from '../dataverse/index.ts';

/**
 * A column as the target snapshot writes it (schemas/target-metadata.schema.json), reduced to what
 * the organisation's metadata states. Labels and lookup navigation properties are not among them:
 * AttributeMetadata as the client reads it carries neither, so the snapshot keeps its own.
 */
export interface ColumnFacts {
  readonly type: TargetColumnType;
  readonly max_length?: number;
  readonly format?: string;
  readonly required?: 'recommended' | 'application' | 'system';
  readonly read_only?: true;
  readonly create_only?: true;
  readonly behavior?: 'user_local' | 'date_only' | 'time_zone_independent';
  readonly options?: Readonly<Record<string, string | { readonly label: string; readonly state: number }>>;
}

/** AttributeTypeName.Value → snapshot type (entity-attribute-metadata: read AttributeTypeName, not AttributeType). */
const TYPES: Readonly<Record<string, TargetColumnType>> = {
  StringType: 'string',
  MemoType: 'memo',
  IntegerType: 'integer',
  BigIntType: 'bigint',
  DecimalType: 'decimal',
  DoubleType: 'double',
  MoneyType: 'money',
  BooleanType: 'boolean',
  DateTimeType: 'datetime',
  PicklistType: 'choice',
  MultiSelectPicklistType: 'multi_choice',
  StateType: 'state',
  StatusType: 'status',
  LookupType: 'lookup',
  CustomerType: 'customer',
  OwnerType: 'owner',
  UniqueidentifierType: 'uniqueidentifier',
  ImageType: 'image',
  FileType: 'file',
};

const REQUIRED: Readonly<Record<string, ColumnFacts['required']>> = {
  Recommended: 'recommended',
  ApplicationRequired: 'application',
  SystemRequired: 'system',
};

const BEHAVIOR: Readonly<Record<string, ColumnFacts['behavior']>> = {
  UserLocal: 'user_local',
  DateOnly: 'date_only',
  TimeZoneIndependent: 'time_zone_independent',
};

const FORMATS = new Set(['email', 'url', 'phone', 'textarea', 'richtext']);

/** The snapshot facts of an attribute, or undefined for types the snapshot has no word for. */
export function columnFacts(a: AttributeDefinition): ColumnFacts | undefined {
  let type = TYPES[a.typeName];
  if (!type) return undefined;
  const behavior = a.dateTimeBehavior ? BEHAVIOR[a.dateTimeBehavior] : undefined;
  // A date-only column (DateTimeBehavior DateOnly) is `date`: reference §1.2 birthdate, Edm.Date on the wire.
  if (type === 'datetime' && behavior === 'date_only') type = 'date';
  const format = a.format?.toLowerCase();
  const options =
    a.options && ['choice', 'multi_choice', 'state', 'status'].includes(type)
      ? Object.fromEntries(
          a.options.map((o) => [
            String(o.value),
            type === 'status' && o.state !== undefined ? { label: o.label, state: o.state } : o.label,
          ]),
        )
      : undefined;
  return {
    type,
    ...((type === 'string' || type === 'memo') && a.maxLength !== undefined
      ? { max_length: a.maxLength }
      : {}),
    ...(type === 'string' && format && FORMATS.has(format) ? { format } : {}),
    ...(REQUIRED[a.requiredLevel] ? { required: REQUIRED[a.requiredLevel] } : {}),
    ...(!a.validForCreate && !a.validForUpdate ? { read_only: true as const } : {}),
    ...(a.validForCreate && !a.validForUpdate ? { create_only: true as const } : {}),
    ...((type === 'datetime' || type === 'date') && behavior ? { behavior } : {}),
    ...(options && Object.keys(options).length > 0 ? { options } : {}),
  };
}

/** A fact that differs between the snapshot and the organisation: key, snapshot value, org value. */
export interface FactChange {
  readonly key: keyof ColumnFacts;
  readonly snapshot: unknown;
  readonly org: unknown;
}

function snapshotFacts(c: TargetColumn): ColumnFacts {
  return {
    type: c.type,
    ...(c.maxLength !== undefined ? { max_length: c.maxLength } : {}),
    ...(c.format !== undefined ? { format: c.format } : {}),
    ...(c.required !== 'none' ? { required: c.required } : {}),
    ...(c.readOnly ? { read_only: true as const } : {}),
    ...(c.createOnly ? { create_only: true as const } : {}),
    ...(c.behavior !== undefined ? { behavior: c.behavior as ColumnFacts['behavior'] } : {}),
    ...(c.options.length > 0
      ? {
          options: Object.fromEntries(
            c.options.map((o) => [
              String(o.value),
              o.state !== undefined ? { label: o.label, state: o.state } : o.label,
            ]),
          ),
        }
      : {}),
  };
}

const REFERENCES = new Set(['lookup', 'customer']);

/**
 * The facts of `org` that differ from the snapshot column, read conservatively where the metadata is
 * ambiguous:
 * - a format is taken only when the organisation names one (email, url, phone, ...): `Format` says
 *   `Text` on columns whose `FormatName` is more specific, so "no format" is no evidence;
 * - lookup and customer are not told apart: both are written with `lookup:` and a navigation property.
 *   Multi-table lookups (regardingobjectid, objectid) are LookupType in Dataverse and Customer is the
 *   built-in account/contact kind (PA`webapi/multitable-lookup`, PA`webapi/reference/createpolymorphiclookupattribute`),
 *   a difference not every metadata source keeps;
 * - primary keys keep their facts: an id may be supplied on create, which is not what create_only means.
 */
export function factChanges(snapshot: TargetColumn, org: ColumnFacts): FactChange[] {
  const mine = snapshotFacts(snapshot);
  const keys: (keyof ColumnFacts)[] = [
    'type',
    'max_length',
    'format',
    'required',
    'read_only',
    'create_only',
    'behavior',
    'options',
  ];
  return keys.flatMap((key) => {
    if (key === 'format' && (org.type !== 'string' || org.format === undefined)) return [];
    if (key === 'type' && REFERENCES.has(mine.type) && REFERENCES.has(org.type)) return [];
    if ((key === 'read_only' || key === 'create_only') && org.type === 'uniqueidentifier') return [];
    const a = JSON.stringify(mine[key] ?? null);
    const b = JSON.stringify(org[key] ?? null);
    return a === b ? [] : [{ key, snapshot: mine[key], org: org[key] }];
  });
}
