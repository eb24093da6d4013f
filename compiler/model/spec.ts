/**
 * The spec files as typed values. Built from YAML by the readers in read-*.ts, which skip malformed
 * pieces (the schema check reports them), so semantic rules can run on a partly broken spec.
 * Every piece keeps `pointer`, the JSON pointer of its node, for diagnostics.
 */
export interface Located {
  readonly file: string;
  readonly pointer: string;
}

export type License = 'professional' | 'enterprise';
export type Policy = 'reject' | 'drop_with_flag' | 'keep_with_flag';

export interface MigrationSpec extends Located {
  readonly name: string | undefined;
  readonly region: 'eu' | 'us' | 'au' | undefined;
  readonly account: string | undefined;
  readonly requestsPerSecond: number;
  readonly pageSize: number;
  readonly license: License | undefined;
  readonly prefix: string | undefined;
  readonly optionValuePrefix: number;
  readonly solution: string | undefined;
  readonly timeZone: string;
  readonly batchSize: number;
  readonly sampleSize: number;
  readonly tolerance: number;
  readonly checksums: 'all' | 'sample';
  readonly fallbackOwner: string | undefined;
  readonly staff: { readonly resource: string; readonly email: string; readonly pointer: string } | undefined;
  readonly policies: {
    readonly invalidEmail: 'reject' | 'drop_with_flag';
    readonly invalidPhone: Policy;
    readonly dateOutOfRange: 'reject' | 'drop_with_flag';
    readonly unmappedValue: 'reject' | 'drop_with_flag';
    readonly deletedRecords: 'deactivate' | 'delete' | 'ignore';
  };
  readonly archive: { readonly dir: string; readonly baseUrl: string } | undefined;
  readonly acknowledge: readonly Acknowledgement[];
  readonly leftOut: readonly LeftOut[];
}

/** Source data left out on purpose: a resource, or some of its fields (`fields`: paths). */
export interface LeftOut extends Located {
  readonly resource: string;
  readonly fields: readonly string[] | undefined;
  /** Where each of `fields` is in the file's list (entries that are not text are left out of `fields`). */
  readonly fieldPointers: readonly string[];
  readonly reason: string;
}

export interface Acknowledgement extends Located {
  readonly flag: string;
  readonly table: string | undefined;
  readonly reason: string;
}

export type CustomColumnType =
  | 'string'
  | 'memo'
  | 'integer'
  | 'decimal'
  | 'money'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'choice'
  | 'multi_choice'
  | 'lookup';

export interface ChoiceOptionSpec {
  readonly key: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly pointer: string;
}

export interface CustomColumnSpec extends Located {
  readonly type: CustomColumnType;
  readonly label: string;
  readonly description: string | undefined;
  readonly required: 'none' | 'recommended' | 'application';
  readonly maxLength: number | undefined;
  readonly format: string | undefined;
  readonly precision: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly behavior: 'user_local' | 'time_zone_independent' | undefined;
  readonly trueLabel: string | undefined;
  readonly falseLabel: string | undefined;
  readonly options: readonly ChoiceOptionSpec[];
  readonly target: string | undefined;
  readonly schemaName: string | undefined;
}

export interface StepSpec extends Located {
  readonly name: string;
  /** Parameters of `{ name: params }` steps; for map steps the value map name is `params.map`. */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface LookupSpec extends Located {
  readonly objects: readonly string[];
  readonly element: string | undefined;
  readonly pick: 'most_recent' | 'first' | undefined;
  readonly orderBy: string | undefined;
  readonly required: boolean;
  readonly defer: boolean | undefined;
}

export interface FieldSpec extends Located {
  readonly to: string;
  /** Source paths; several when `from` is a list. Empty for template/value/connection_role. */
  readonly from: readonly string[];
  readonly fromIsList: boolean;
  readonly template: string | undefined;
  readonly value: string | number | boolean | undefined;
  readonly connectionRole: string | undefined;
  readonly transform: readonly StepSpec[];
  /** `transform:` is written but is not a list (FS012): the chain is not known, so not checked. */
  readonly transformUnread?: true;
  readonly lookup: LookupSpec | undefined;
  readonly custom: CustomColumnSpec | undefined;
  readonly note: string | undefined;
  /** Drafted by `flitstack propose` and not yet reviewed. */
  readonly proposed: Proposal | undefined;
}

/** A line or mapping drafted by `flitstack propose`, awaiting review. */
export interface Proposal {
  readonly reason: string;
  readonly confidence: number;
}

export interface KeySpec extends Located {
  readonly sources: readonly string[];
  readonly prefix: string;
  readonly column: string | undefined;
  readonly deriveId: boolean;
  readonly custom: CustomColumnSpec | undefined;
}

export interface ConditionSpec extends Located {
  readonly field: string | undefined;
  readonly in: readonly (string | number | boolean)[] | undefined;
  readonly notIn: readonly (string | number | boolean)[] | undefined;
  readonly present: boolean | undefined;
  readonly notMatchedBy: string | undefined;
}

export interface ObjectSpec extends Located {
  readonly name: string;
  readonly description: string | undefined;
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly extends: string | undefined;
  readonly mode: 'upsert' | 'update';
  readonly key: KeySpec | undefined;
  readonly match:
    | {
        readonly source: string;
        readonly column: string;
        readonly activeOnly: boolean;
        readonly pointer: string;
      }
    | undefined;
  readonly where: readonly ConditionSpec[];
  readonly each:
    | {
        readonly path: string;
        readonly skip: 'most_recent' | undefined;
        readonly orderBy: string | undefined;
        readonly pointer: string;
      }
    | undefined;
  readonly group:
    | {
        readonly by: string;
        readonly pick: 'latest' | 'earliest';
        readonly orderBy: string;
        readonly pointer: string;
      }
    | undefined;
  readonly customTable: CustomTableSpec | undefined;
  readonly fields: readonly FieldSpec[];
  readonly owner:
    | { readonly staff: string | undefined; readonly email: string | undefined; readonly pointer: string }
    | undefined;
  readonly state: { readonly from: string; readonly map: string; readonly pointer: string } | undefined;
  readonly document:
    | { readonly file: string; readonly maxBytes: number | undefined; readonly pointer: string }
    | undefined;
  readonly archive: ArchiveSpec | undefined;
  readonly proposed: Proposal | undefined;
}

export interface CustomTableSpec extends Located {
  readonly label: string;
  readonly pluralLabel: string;
  readonly description: string | undefined;
  readonly ownership: 'user' | 'organization';
  readonly hasNotes: boolean;
  readonly primaryName: {
    readonly column: string;
    readonly label: string;
    readonly maxLength: number;
    readonly pointer: string;
  };
}

export interface ArchiveSpec extends Located {
  readonly name: string;
  readonly columns: readonly string[];
  readonly urlColumn: string;
  readonly custom: CustomColumnSpec | undefined;
}

export type StateTarget = { readonly state: number | string; readonly status: number | string };
export type ValueMapTarget = string | number | null | StateTarget;

export interface ValueMapSpec extends Located {
  readonly name: string;
  readonly kind: 'choice' | 'state';
  readonly entries: readonly {
    readonly source: string;
    readonly target: ValueMapTarget;
    readonly pointer: string;
  }[];
  readonly default: ValueMapTarget | undefined;
  readonly unmapped: 'reject' | 'drop_with_flag' | undefined;
  readonly caseSensitive: boolean;
  /** Keys whose target is not one the map can hold (the schema reports them): written, if wrongly. */
  readonly unreadable: readonly string[];
}

/** Source model: resources and their fields. */
export type SourceFieldType =
  | 'id'
  | 'string'
  | 'text'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'array'
  | 'object';

export interface SourceField {
  readonly type: SourceFieldType;
  readonly description: string | undefined;
  readonly nullable: boolean;
  readonly phi: boolean;
  readonly references: string | undefined;
  readonly values: readonly string[] | undefined;
  readonly open: boolean;
  readonly maxLength: number | undefined;
  readonly items: SourceField | undefined;
  readonly fields: ReadonlyMap<string, SourceField> | undefined;
}

export interface SourceResource {
  readonly name: string;
  readonly description: string | undefined;
  readonly fields: ReadonlyMap<string, SourceField>;
}

export interface SourceModel extends Located {
  readonly resources: ReadonlyMap<string, SourceResource>;
}

/** Target metadata snapshot. */
export type TargetColumnType =
  | 'string'
  | 'memo'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'double'
  | 'money'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'choice'
  | 'multi_choice'
  | 'state'
  | 'status'
  | 'lookup'
  | 'customer'
  | 'owner'
  | 'uniqueidentifier'
  | 'image'
  | 'file';

export interface TargetOption {
  readonly value: number;
  readonly label: string;
  readonly state: number | undefined;
}

export interface TargetColumn {
  readonly name: string;
  readonly type: TargetColumnType;
  readonly label: string | undefined;
  readonly maxLength: number | undefined;
  readonly format: string | undefined;
  readonly required: 'none' | 'recommended' | 'application' | 'system';
  readonly readOnly: boolean;
  readonly createOnly: boolean;
  readonly precision: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly behavior: string | undefined;
  /** Lookup targets: table → navigation property. */
  readonly targets: ReadonlyMap<string, string>;
  readonly options: readonly TargetOption[];
}

export interface TargetTable {
  readonly name: string;
  readonly description: string | undefined;
  readonly entitySet: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly ownership: 'user' | 'organization' | 'none';
  readonly activity: boolean;
  readonly bulkMessages: boolean;
  readonly customColumnsAllowed: boolean;
  /** The organisation's own custom columns on the table (`custom_columns`), listed in `columns` or not. */
  readonly customColumns: readonly string[];
  readonly columns: ReadonlyMap<string, TargetColumn>;
}

export interface TargetMetadata extends Located {
  readonly maxUploadFileSize: number;
  /** The organisation's own custom tables (`custom_tables`), in `tables` or not. */
  readonly customTables: readonly string[];
  readonly tables: ReadonlyMap<string, TargetTable>;
}
