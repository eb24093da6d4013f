import { createHash } from 'node:crypto';
import { assertNever } from '../../compiler/assert.ts';
import type { IrPlanColumn, IrPlanCustomTable } from '../../compiler/ir/types.ts';
import { label } from '../dataverse/index.ts';
import { DECIMAL_LIMIT, MONEY_LIMIT } from '../transforms/numbers.ts';

type Json = Record<string, unknown>;

const NS = 'Microsoft.Dynamics.CRM.';

/** The RequiredLevel value of a plan level (reference §5.1; SystemRequired is not allowed on custom columns). */
export function requiredLevelName(level: IrPlanColumn['required']): string {
  return level === 'application' ? 'ApplicationRequired' : level === 'recommended' ? 'Recommended' : 'None';
}

/** The RequiredLevel complex value a column is created (or changed) with. */
export function requiredLevel(level: IrPlanColumn['required']): Json {
  return {
    Value: requiredLevelName(level),
    CanBeChanged: true,
    ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
  };
}

const FORMAT_NAMES: Record<string, string> = {
  text: 'Text',
  email: 'Email',
  url: 'Url',
  phone: 'Phone',
  textarea: 'TextArea',
};

/** The FormatName a string column is created with. */
export const stringFormatName = (column: IrPlanColumn): string =>
  FORMAT_NAMES[column.format ?? 'text'] ?? 'Text';

/** The DateTimeBehavior a date or datetime column is created with. */
export function dateTimeBehaviorName(column: IrPlanColumn): string {
  if (column.type === 'date') return 'DateOnly';
  return column.behavior === 'time_zone_independent' ? 'TimeZoneIndependent' : 'UserLocal';
}

/**
 * The widest range of each numeric type, which a column gets when the spec gives no min or max (reference
 * §5.1 limits; money: MoneyAttributeMetadata MinValue/MaxValue, ±922,337,203,685,477).
 */
export const RANGES: Readonly<Partial<Record<IrPlanColumn['type'], readonly [number, number]>>> = {
  integer: [-2147483648, 2147483647],
  decimal: [-DECIMAL_LIMIT, DECIMAL_LIMIT],
  money: [-MONEY_LIMIT, MONEY_LIMIT],
};

/** MinValue and MaxValue a numeric column is created with; undefined for other types. */
export function plannedRange(column: IrPlanColumn): { min: number; max: number } | undefined {
  const range = RANGES[column.type];
  return range ? { min: column.min ?? range[0], max: column.max ?? range[1] } : undefined;
}

/** Decimal places a decimal or money column is created with; undefined for other types. */
export const plannedPrecision = (column: IrPlanColumn): number | undefined =>
  column.type === 'decimal' || column.type === 'money' ? (column.precision ?? 2) : undefined;

/** A local option set; multi-select choices take the same shape (reference §5.1). */
function optionSet(column: IrPlanColumn): Json {
  return {
    '@odata.type': `${NS}OptionSetMetadata`,
    IsGlobal: false,
    OptionSetType: 'Picklist',
    Options: column.options.map((o) => ({ Value: o.value, Label: label(o.label) })),
  };
}

/**
 * The AttributeMetadata body that creates a custom column (reference §5.1, the table of types and
 * their properties). Lookups are created through a relationship instead (see lookupRelationship).
 */
export function attributeBody(column: IrPlanColumn): Json {
  const common = {
    SchemaName: column.schemaName,
    DisplayName: label(column.label),
    Description: label(column.description ?? column.label),
    RequiredLevel: requiredLevel(column.required),
  };
  switch (column.type) {
    case 'string':
      return {
        '@odata.type': `${NS}StringAttributeMetadata`,
        ...common,
        MaxLength: column.maxLength ?? 100,
        FormatName: { Value: stringFormatName(column) },
      };
    case 'memo':
      return {
        '@odata.type': `${NS}MemoAttributeMetadata`,
        ...common,
        MaxLength: column.maxLength ?? 2000,
        Format: 'TextArea',
        IsLocalizable: false,
      };
    case 'integer':
      return {
        '@odata.type': `${NS}IntegerAttributeMetadata`,
        ...common,
        MinValue: plannedRange(column)!.min,
        MaxValue: plannedRange(column)!.max,
        Format: 'None',
      };
    case 'decimal':
      return {
        '@odata.type': `${NS}DecimalAttributeMetadata`,
        ...common,
        Precision: plannedPrecision(column),
        MinValue: plannedRange(column)!.min,
        MaxValue: plannedRange(column)!.max,
      };
    case 'money':
      return {
        '@odata.type': `${NS}MoneyAttributeMetadata`,
        ...common,
        Precision: plannedPrecision(column),
        // 0: the column's own Precision, not the currency's or the organisation's pricing precision.
        PrecisionSource: 0,
        MinValue: plannedRange(column)!.min,
        MaxValue: plannedRange(column)!.max,
      };
    case 'boolean':
      return {
        '@odata.type': `${NS}BooleanAttributeMetadata`,
        ...common,
        DefaultValue: false,
        OptionSet: {
          '@odata.type': `${NS}BooleanOptionSetMetadata`,
          TrueOption: { Value: 1, Label: label(column.trueLabel ?? 'Yes') },
          FalseOption: { Value: 0, Label: label(column.falseLabel ?? 'No') },
          OptionSetType: 'Boolean',
        },
      };
    case 'date':
      return {
        '@odata.type': `${NS}DateTimeAttributeMetadata`,
        ...common,
        Format: 'DateOnly',
        DateTimeBehavior: { Value: dateTimeBehaviorName(column) },
      };
    case 'datetime':
      return {
        '@odata.type': `${NS}DateTimeAttributeMetadata`,
        ...common,
        Format: 'DateAndTime',
        DateTimeBehavior: { Value: dateTimeBehaviorName(column) },
      };
    case 'choice':
      return { '@odata.type': `${NS}PicklistAttributeMetadata`, ...common, OptionSet: optionSet(column) };
    case 'multi_choice':
      return {
        '@odata.type': `${NS}MultiSelectPicklistAttributeMetadata`,
        ...common,
        OptionSet: optionSet(column),
      };
    case 'lookup':
      throw new Error(`lookup column ${column.name} is created through a relationship, not as an attribute`);
    default:
      return assertNever(column.type);
  }
}

/**
 * The relationship's schema name: `<column>_<target>_<table>`, or, when that is longer than the 50
 * characters an identifier takes (see compiler/validate/rules/naming.ts), the column's name and a hash
 * of the long form, which keeps it unique.
 */
export function relationshipName(table: string, column: IrPlanColumn): string {
  const full = `${column.schemaName}_${column.target}_${table}`;
  if (full.length <= 50) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${column.schemaName.slice(0, 41)}_${hash}`;
}

/**
 * The OneToManyRelationshipMetadata that creates a custom lookup column on `table`, pointing at the row
 * of `column.target` whose primary key is `referencedAttribute`. The definition "also requires complex
 * properties using AssociatedMenuConfiguration, CascadeConfiguration, Label and LocalizedLabel"
 * (PA`webapi/create-update-entity-relationships-using-web-api`). The cascades are the referential
 * defaults: deleting the referenced row empties the lookup (RemoveLink) and nothing else follows it.
 */
export function lookupRelationship(table: string, column: IrPlanColumn, referencedAttribute: string): Json {
  return {
    '@odata.type': `${NS}OneToManyRelationshipMetadata`,
    SchemaName: relationshipName(table, column),
    ReferencedEntity: column.target,
    ReferencedAttribute: referencedAttribute,
    ReferencingEntity: table,
    AssociatedMenuConfiguration: {
      Behavior: 'UseCollectionName',
      Group: 'Details',
      Label: label(column.label),
      Order: 10000,
    },
    CascadeConfiguration: {
      Assign: 'NoCascade',
      Delete: 'RemoveLink',
      Merge: 'NoCascade',
      Reparent: 'NoCascade',
      Share: 'NoCascade',
      Unshare: 'NoCascade',
    },
    Lookup: {
      '@odata.type': `${NS}LookupAttributeMetadata`,
      SchemaName: column.schemaName,
      DisplayName: label(column.label),
      Description: label(column.description ?? column.label),
      RequiredLevel: requiredLevel(column.required),
    },
  };
}

/** The EntityMetadata that creates a custom table with its primary name column (reference §5.2). */
export function tableBody(name: string, table: IrPlanCustomTable): Json {
  return {
    '@odata.type': `${NS}EntityMetadata`,
    SchemaName: table.schemaName,
    // Sent, not left to Dataverse's plural rules: the generated code writes to exactly this name.
    EntitySetName: table.entitySet,
    DisplayName: label(table.label),
    DisplayCollectionName: label(table.pluralLabel),
    Description: label(table.description ?? table.label),
    OwnershipType: table.ownership === 'organization' ? 'OrganizationOwned' : 'UserOwned',
    IsActivity: false,
    HasActivities: false,
    HasNotes: table.hasNotes,
    Attributes: [
      {
        '@odata.type': `${NS}StringAttributeMetadata`,
        SchemaName: table.primaryName.name,
        IsPrimaryName: true,
        RequiredLevel: requiredLevel('application'),
        MaxLength: table.primaryName.maxLength,
        FormatName: { Value: 'Text' },
        DisplayName: label(table.primaryName.label),
        Description: label(`Primary name of ${name}`),
      },
    ],
  };
}

/** The type names the metadata API reports (AttributeTypeName.Value) for each plan column type. */
export const TYPE_NAMES: Record<IrPlanColumn['type'], string> = {
  string: 'StringType',
  memo: 'MemoType',
  integer: 'IntegerType',
  decimal: 'DecimalType',
  money: 'MoneyType',
  boolean: 'BooleanType',
  date: 'DateTimeType',
  datetime: 'DateTimeType',
  choice: 'PicklistType',
  multi_choice: 'MultiSelectPicklistType',
  lookup: 'LookupType',
};
