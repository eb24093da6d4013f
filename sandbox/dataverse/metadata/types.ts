/**
 * The sandbox's model of Dataverse table definitions (EntityMetadata / AttributeMetadata, reduced to what
 * the Web API behaviour depends on). Definitions are plain data; `Catalog` owns the live, mutable copy.
 */

/** AttributeType values (PA`entity-attribute-metadata`); MultiSelectPicklist is reported as `Virtual` there. */
export type AttributeType =
  | 'String'
  | 'Memo'
  | 'Integer'
  | 'BigInt'
  | 'Decimal'
  | 'Double'
  | 'Money'
  | 'Boolean'
  | 'DateTime'
  | 'Picklist'
  | 'MultiSelectPicklist'
  | 'State'
  | 'Status'
  | 'Lookup'
  | 'Customer'
  | 'Owner'
  | 'Uniqueidentifier'
  | 'EntityName';

export type RequiredLevel = 'None' | 'SystemRequired' | 'ApplicationRequired' | 'Recommended';
export type DateBehavior = 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';
export type CascadeDelete = 'Cascade' | 'RemoveLink' | 'Restrict';
export type KeyStatus = 'Pending' | 'InProgress' | 'Active' | 'Failed';

/** One option of a choice; `state` belongs to statuscode options, `defaultStatus` to statecode options. */
export interface OptionDef {
  readonly value: number;
  readonly label: string;
  readonly state?: number;
  readonly defaultStatus?: number;
}

/** A column. Flags follow IsValidForCreate / IsValidForUpdate / IsValidForRead. */
export interface ColumnDef {
  readonly logicalName: string;
  readonly schemaName: string;
  readonly type: AttributeType;
  readonly displayName: string;
  readonly requiredLevel: RequiredLevel;
  readonly validForCreate: boolean;
  readonly validForUpdate: boolean;
  readonly validForRead: boolean;
  readonly isCustom: boolean;
  readonly isPrimaryId?: boolean;
  readonly isPrimaryName?: boolean;
  readonly maxLength?: number;
  readonly formatName?: string;
  readonly dateFormat?: 'DateOnly' | 'DateAndTime';
  readonly behavior?: DateBehavior;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly precision?: number;
  /** Money only: 0 Precision, 1 the organisation's pricing precision, 2 the currency's (the default here). */
  readonly precisionSource?: 0 | 1 | 2;
  readonly options?: readonly OptionDef[];
  readonly optionSetName?: string;
  readonly defaultValue?: boolean | number;
  /** Yes/No only: the labels of its true (1) and false (0) options; Dataverse's Yes and No when absent. */
  readonly booleanLabels?: { readonly true: string; readonly false: string };
  readonly targets?: readonly string[];
}

/** A single-valued navigation property: the name used in `<name>@odata.bind` and in `$filter` paths. */
export interface NavDef {
  readonly name: string;
  readonly column: string;
  /** Tables a bind may point to: one, except owner navs typed as `principal` (systemuser or team). */
  readonly targets: readonly string[];
  readonly relationship: string;
  readonly cascadeDelete: CascadeDelete;
}

/** An alternate key (EntityKeyMetadata). */
export interface KeyDef {
  readonly logicalName: string;
  readonly schemaName: string;
  readonly attributes: readonly string[];
  readonly displayName: string;
}

/** A table as written in the definition modules. */
export interface TableDef {
  readonly logicalName: string;
  readonly schemaName: string;
  readonly entitySetName: string;
  readonly displayName: string;
  readonly displayCollectionName: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly ownership: 'UserOwned' | 'OrganizationOwned' | 'BusinessOwned' | 'None';
  readonly objectTypeCode: number;
  readonly isCustom: boolean;
  readonly isActivity: boolean;
  readonly hasNotes: boolean;
  /** Whether CreateMultiple/UpdateMultiple/UpsertMultiple are registered for the table (sdkmessagefilter). */
  readonly bulk: boolean;
  /** False for system tables the sandbox serves read-only. */
  readonly writable: boolean;
  /** Rows can be updated even where they cannot be created or deleted (systemuser). */
  readonly updatable: boolean;
  readonly columns: readonly ColumnDef[];
  readonly navs: readonly NavDef[];
  readonly keys: readonly KeyDef[];
}

/** A key as the catalog holds it, with its asynchronous index status (PA`define-alternate-keys-entity`). */
export interface KeyMeta extends KeyDef {
  readonly metadataId: string;
  status: KeyStatus;
}

/** A column as the catalog holds it. */
export interface ColumnMeta extends ColumnDef {
  readonly metadataId: string;
}

/** A table as the catalog holds it. */
export interface TableMeta {
  readonly def: TableDef;
  readonly metadataId: string;
  readonly columns: Map<string, ColumnMeta>;
  readonly navs: Map<string, NavDef>;
  readonly keys: KeyMeta[];
  bulk: boolean;
}

/** Lookup-like column types whose values are references to other rows. */
export const REFERENCE_TYPES: ReadonlySet<AttributeType> = new Set(['Lookup', 'Customer', 'Owner']);
