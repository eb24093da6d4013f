import { nameGuid } from './catalog.ts';
import { privilegesJson } from './privileges.ts';
import type { ColumnMeta, KeyMeta, NavDef, TableMeta } from './types.ts';

/**
 * EntityMetadata / AttributeMetadata / EntityKeyMetadata / OneToManyRelationshipMetadata JSON, reduced to
 * the properties clients read (PA`webapi/query-metadata-web-api`, Web API metadata entity types).
 */

/** A Label complex type with one en-US LocalizedLabel. */
export function label(text: string): Record<string, unknown> {
  const localized = {
    Label: text,
    LanguageCode: 1033,
    IsManaged: false,
    MetadataId: nameGuid(`label:${text}`),
    HasChanged: null,
  };
  return {
    LocalizedLabels: text === '' ? [] : [localized],
    UserLocalizedLabel: text === '' ? null : localized,
  };
}

const ODATA_TYPE: Record<ColumnMeta['type'], string> = {
  String: 'StringAttributeMetadata',
  Memo: 'MemoAttributeMetadata',
  Integer: 'IntegerAttributeMetadata',
  BigInt: 'BigIntAttributeMetadata',
  Decimal: 'DecimalAttributeMetadata',
  Double: 'DoubleAttributeMetadata',
  Money: 'MoneyAttributeMetadata',
  Boolean: 'BooleanAttributeMetadata',
  DateTime: 'DateTimeAttributeMetadata',
  Picklist: 'PicklistAttributeMetadata',
  MultiSelectPicklist: 'MultiSelectPicklistAttributeMetadata',
  State: 'StateAttributeMetadata',
  Status: 'StatusAttributeMetadata',
  Lookup: 'LookupAttributeMetadata',
  Customer: 'LookupAttributeMetadata',
  Owner: 'LookupAttributeMetadata',
  Uniqueidentifier: 'UniqueIdentifierAttributeMetadata',
  EntityName: 'EntityNameAttributeMetadata',
};

/** The derived metadata type name of a column, e.g. `StringAttributeMetadata`. */
export const attributeTypeName = (c: ColumnMeta) => ODATA_TYPE[c.type];

/** EntityMetadata of a table. */
export function entityJson(table: TableMeta): Record<string, unknown> {
  const d = table.def;
  return {
    MetadataId: table.metadataId,
    LogicalName: d.logicalName,
    SchemaName: d.schemaName,
    EntitySetName: d.entitySetName,
    LogicalCollectionName: d.entitySetName,
    CollectionSchemaName: `${d.schemaName}s`,
    PrimaryIdAttribute: d.primaryId,
    PrimaryNameAttribute: d.primaryName,
    ObjectTypeCode: d.objectTypeCode,
    OwnershipType: d.ownership,
    IsCustomEntity: d.isCustom,
    IsActivity: d.isActivity,
    HasNotes: d.hasNotes,
    HasActivities: false,
    IsManaged: false,
    IsValidForAdvancedFind: true,
    TableType: 'Standard',
    DisplayName: label(d.displayName),
    DisplayCollectionName: label(d.displayCollectionName),
    Description: label(''),
    Privileges: privilegesJson(d),
  };
}

/** AttributeMetadata of a column, typed by `@odata.type` (MultiSelectPicklist reports AttributeType Virtual). */
export function attributeJson(table: TableMeta, c: ColumnMeta): Record<string, unknown> {
  const typeName =
    c.type === 'Customer'
      ? 'CustomerType'
      : c.type === 'MultiSelectPicklist'
        ? 'MultiSelectPicklistType'
        : `${c.type}Type`;
  const json: Record<string, unknown> = {
    '@odata.type': `#Microsoft.Dynamics.CRM.${ODATA_TYPE[c.type]}`,
    MetadataId: c.metadataId,
    LogicalName: c.logicalName,
    SchemaName: c.schemaName,
    EntityLogicalName: table.def.logicalName,
    AttributeType: c.type === 'MultiSelectPicklist' ? 'Virtual' : c.type,
    AttributeTypeName: { Value: typeName },
    IsCustomAttribute: c.isCustom,
    IsPrimaryId: c.isPrimaryId ?? false,
    IsPrimaryName: c.isPrimaryName ?? false,
    IsValidForCreate: c.validForCreate,
    IsValidForUpdate: c.validForUpdate,
    IsValidForRead: c.validForRead,
    IsLogical: false,
    AttributeOf: null,
    RequiredLevel: {
      Value: c.requiredLevel,
      CanBeChanged: true,
      ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
    },
    DisplayName: label(c.displayName),
    Description: label(''),
  };
  switch (c.type) {
    case 'String':
      Object.assign(json, {
        MaxLength: c.maxLength,
        DatabaseLength: (c.maxLength ?? 0) * 2,
        Format: 'Text',
        FormatName: { Value: c.formatName ?? 'Text' },
      });
      break;
    case 'Memo':
      Object.assign(json, { MaxLength: c.maxLength, Format: 'TextArea' });
      break;
    case 'Integer':
      Object.assign(json, { MinValue: c.minValue, MaxValue: c.maxValue, Format: 'None' });
      break;
    case 'BigInt':
      Object.assign(json, { MinValue: Number.MIN_SAFE_INTEGER, MaxValue: Number.MAX_SAFE_INTEGER });
      break;
    case 'Decimal':
    case 'Double':
      Object.assign(json, { MinValue: c.minValue, MaxValue: c.maxValue, Precision: c.precision });
      break;
    case 'Money':
      Object.assign(json, {
        MinValue: c.minValue,
        MaxValue: c.maxValue,
        Precision: c.precision,
        PrecisionSource: c.precisionSource ?? 2,
      });
      break;
    case 'Boolean':
      Object.assign(json, { DefaultValue: c.defaultValue ?? false });
      break;
    case 'DateTime':
      Object.assign(json, { Format: c.dateFormat, DateTimeBehavior: { Value: c.behavior } });
      break;
    case 'Picklist':
    case 'MultiSelectPicklist':
    case 'State':
    case 'Status':
      Object.assign(json, { DefaultFormValue: typeof c.defaultValue === 'number' ? c.defaultValue : -1 });
      break;
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      Object.assign(json, { Targets: c.targets ?? [] });
      break;
    default:
      break;
  }
  return json;
}

/** OptionSetMetadata of a choice column (returned through `$expand=OptionSet`). */
export function optionSetJson(table: TableMeta, c: ColumnMeta): Record<string, unknown> | null {
  if (c.type === 'Boolean') {
    return {
      '@odata.type': '#Microsoft.Dynamics.CRM.BooleanOptionSetMetadata',
      MetadataId: nameGuid(`optionset:${table.def.logicalName}.${c.logicalName}`),
      Name: `${table.def.logicalName}_${c.logicalName}`,
      OptionSetType: 'Boolean',
      IsGlobal: false,
      TrueOption: { Value: 1, Label: label(c.booleanLabels?.true ?? 'Yes') },
      FalseOption: { Value: 0, Label: label(c.booleanLabels?.false ?? 'No') },
    };
  }
  if (!c.options) return null;
  const kind = c.type === 'State' ? 'State' : c.type === 'Status' ? 'Status' : 'Picklist';
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.OptionSetMetadata`,
    MetadataId: nameGuid(`optionset:${table.def.logicalName}.${c.logicalName}`),
    Name: c.optionSetName ?? `${table.def.logicalName}_${c.logicalName}`,
    OptionSetType: kind,
    IsGlobal: false,
    Options: c.options.map((o) => ({
      Value: o.value,
      Label: label(o.label),
      ...(o.state !== undefined ? { State: o.state } : {}),
      ...(o.defaultStatus !== undefined ? { DefaultStatus: o.defaultStatus } : {}),
    })),
  };
}

/** EntityKeyMetadata, with its index status (EntityKeyIndexStatus: Pending, InProgress, Active, Failed). */
export function keyJson(table: TableMeta, key: KeyMeta): Record<string, unknown> {
  return {
    MetadataId: key.metadataId,
    LogicalName: key.logicalName,
    SchemaName: key.schemaName,
    EntityLogicalName: table.def.logicalName,
    KeyAttributes: [...key.attributes],
    EntityKeyIndexStatus: key.status,
    DisplayName: label(key.displayName),
    IsManaged: false,
  };
}

/** OneToManyRelationshipMetadata seen from the referencing table, one per navigation target. */
export function relationshipJson(
  table: TableMeta,
  nav: NavDef,
  target: string,
  targetTable?: TableMeta,
): Record<string, unknown> {
  return {
    '@odata.type': '#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
    MetadataId: nameGuid(`relationship:${nav.relationship}:${target}`),
    SchemaName: nav.relationship,
    RelationshipType: 'OneToManyRelationship',
    ReferencedEntity: target,
    ReferencedAttribute: targetTable?.def.primaryId ?? `${target}id`,
    ReferencingEntity: table.def.logicalName,
    ReferencingAttribute: nav.column,
    ReferencingEntityNavigationPropertyName: nav.name,
    ReferencedEntityNavigationPropertyName: nav.relationship,
    IsCustomRelationship: table.columns.get(nav.column)?.isCustom ?? false,
    CascadeConfiguration: { Delete: nav.cascadeDelete },
  };
}
