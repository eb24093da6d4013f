import type { TargetColumnType } from '../model/spec.ts';

/**
 * The intermediate representation: one typed model of a validated spec. Every emitter (generated
 * transformer, schema plan, load order, mapping diff) and the reference interpreter read it; none reads
 * YAML. Plain data (JSON-serialisable), sorted and without timestamps, so equal specs give equal IRs.
 */
export interface Ir {
  readonly migration: IrMigration;
  readonly resources: readonly IrResource[];
  readonly tables: readonly IrTable[];
  readonly valueMaps: readonly IrValueMap[];
  /** Base mappings in load order (extensions are folded into their base). */
  readonly mappings: readonly IrMapping[];
  readonly deferred: readonly IrDeferredLookup[];
  readonly plan: IrSchemaPlan;
  /** Source data left out on purpose (migration.yaml `left_out`), one entry per resource or field path. */
  readonly leftOut: readonly IrLeftOut[];
  /**
   * The spec-wide policies steps fall back to (migration.yaml `policies`); the steps carry their
   * effective policy, this is what a reviewer reads as one setting. Not in IrMigration, which the
   * generated module carries as MIGRATION for the runtime, which never reads them.
   */
  readonly policies: {
    readonly invalidEmail: string;
    readonly invalidPhone: string;
    readonly dateOutOfRange: string;
    readonly unmappedValue: string;
  };
}

/** A resource (`field` undefined) or one field path of it that the migration leaves out, and why. */
export interface IrLeftOut {
  readonly resource: string;
  readonly field: string | undefined;
  readonly reason: string;
}

export type DropPolicy = 'reject' | 'drop_with_flag';
export type PhonePolicy = 'reject' | 'drop_with_flag' | 'keep_with_flag';

export interface IrMigration {
  readonly name: string;
  readonly region: 'eu' | 'us' | 'au';
  readonly account: string | undefined;
  readonly requestsPerSecond: number;
  readonly pageSize: number;
  readonly license: 'professional' | 'enterprise';
  readonly prefix: string;
  readonly optionValuePrefix: number;
  readonly solution: string | undefined;
  readonly timeZone: string;
  readonly batchSize: number;
  readonly sampleSize: number;
  readonly tolerance: number;
  readonly checksums: 'all' | 'sample';
  readonly fallbackOwner: string | undefined;
  readonly staff: { readonly resource: string; readonly emailField: string } | undefined;
  readonly deletedRecords: 'deactivate' | 'delete' | 'ignore';
  readonly archive: { readonly dir: string; readonly baseUrl: string } | undefined;
  readonly maxUploadFileSize: number;
}

/** A source type as the generated record interfaces spell it. */
export type IrSourceType =
  | { readonly kind: 'id' | 'string' | 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly open: boolean }
  | { readonly kind: 'array'; readonly items: IrSourceType }
  | { readonly kind: 'object'; readonly fields: readonly IrSourceField[] };

export interface IrSourceField {
  readonly name: string;
  readonly type: IrSourceType;
  readonly nullable: boolean;
  readonly phi: boolean;
  readonly description: string | undefined;
}

/** A source resource read by at least one mapping. */
export interface IrResource {
  readonly name: string;
  readonly fields: readonly IrSourceField[];
  /** Top-level fields the mappings read (for `fields=` projection), sorted. */
  readonly used: readonly string[];
  /** Top-level fields flagged PHI, sorted: never logged. */
  readonly phi: readonly string[];
  /** Mappings reading this resource, in load order. */
  readonly mappings: readonly string[];
}

/** A column type the runtime writes: every type of the target snapshot but images and files. */
export type IrColumnType = Exclude<TargetColumnType, 'image' | 'file'>;

/** A column a mapping writes (or keys on), as the runtime must know it. */
export interface IrColumn {
  readonly name: string;
  readonly type: IrColumnType;
  readonly maxLength: number | undefined;
  readonly custom: boolean;
  readonly createOnly: boolean;
  /** Lookup targets: table → navigation property for @odata.bind. */
  readonly targets: readonly { readonly table: string; readonly nav: string }[];
}

/** A Dataverse table the spec writes. */
export interface IrTable {
  readonly name: string;
  readonly entitySet: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly custom: boolean;
  readonly ownership: 'user' | 'organization' | 'none';
  readonly bulkMessages: boolean;
  readonly columns: readonly IrColumn[];
  /** Alternate key columns the spec upserts through. */
  readonly alternateKeys: readonly string[];
}

/** A value map resolved to target values: option numbers, or state/status pairs. */
export interface IrValueMap {
  readonly name: string;
  readonly kind: 'choice' | 'state';
  readonly entries: readonly { readonly source: string; readonly target: IrMapTarget }[];
  readonly default: IrMapTarget | undefined;
  readonly unmapped: DropPolicy;
  readonly caseSensitive: boolean;
}

export type IrMapTarget = number | string | null | { readonly state: number; readonly status: number };

/** Where a field's value comes from. */
export type IrValueSource =
  | { readonly kind: 'path'; readonly path: readonly string[] }
  | { readonly kind: 'paths'; readonly paths: readonly (readonly string[])[] }
  | { readonly kind: 'template'; readonly parts: readonly IrTemplatePart[] }
  | { readonly kind: 'constant'; readonly value: string | number | boolean };

export type IrTemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly path: readonly string[] };

/** One transform step with its parameters resolved (policies, lengths, maps, zones). */
export type IrStep =
  | {
      readonly kind:
        | 'trim'
        | 'lowercase'
        | 'uppercase'
        | 'titlecase'
        | 'collapse_whitespace'
        | 'strip_control'
        | 'null_if_empty'
        | 'to_string'
        | 'coalesce';
    }
  | { readonly kind: 'email'; readonly policy: DropPolicy; readonly maxLength: number | undefined }
  | {
      readonly kind: 'phone';
      readonly country: string;
      readonly policy: PhonePolicy;
      readonly maxLength: number | undefined;
    }
  | { readonly kind: 'boolean' }
  | IrNumberStep
  | { readonly kind: 'date_only'; readonly timeZone: string; readonly policy: DropPolicy }
  | {
      readonly kind: 'datetime';
      readonly timeZone: string;
      readonly policy: DropPolicy;
      /** The column is Time zone independent: the wall-clock time in the zone is written (wallDateTime). */
      readonly wallClock: boolean;
    }
  | { readonly kind: 'join'; readonly delimiter: string }
  | { readonly kind: 'map'; readonly map: string }
  | {
      readonly kind: 'multi_map';
      readonly map: string;
      readonly as: 'choices' | 'text';
      readonly delimiter: string;
    }
  | { readonly kind: 'default'; readonly value: string | boolean; readonly convert: undefined }
  | {
      readonly kind: 'default';
      readonly value: number;
      /**
       * The column's own conversion, applied to the value before the default (so that an unreadable or
       * out-of-range value is dropped with a flag and replaced) and to the result (so that the default
       * itself meets the column's type and range, or is dropped with a flag).
       */
      readonly convert: IrNumberStep;
      /** The step before is that same conversion: the value is not converted again before the default. */
      readonly converted: boolean;
    }
  | { readonly kind: 'truncate'; readonly length: number; readonly flag: boolean }
  | { readonly kind: 'split'; readonly length: number; readonly titleSuffix: string };

export type IrStepKind = IrStep['kind'];

/**
 * A number conversion. `min`/`max`: the range the target column declares, within its type's (dropped
 * with a flag outside it).
 */
export type IrNumberStep =
  | {
      readonly kind: 'integer';
      /** 64 for a Big Integer column (toBigInteger), else 32. */
      readonly bits: 32 | 64;
      readonly min: number | undefined;
      readonly max: number | undefined;
    }
  | {
      readonly kind: 'decimal';
      readonly precision: number;
      readonly min: number | undefined;
      readonly max: number | undefined;
      /** A Money column's wider range (toDecimal's `limit`); absent for a decimal's ±100,000,000,000. */
      readonly limit?: number;
    };

/** A field map: a value written to a column. */
export interface IrField {
  readonly column: string;
  readonly type: IrColumnType;
  readonly source: IrValueSource;
  readonly steps: readonly IrStep[];
  /**
   * A number column's own conversion (whole number or decimal, with its precision and range): what a
   * value the chain left unconverted goes through before it is written.
   */
  readonly conversion: IrNumberStep | undefined;
  /**
   * A date-time column that is Time zone independent: it stores and shows the value as sent, so a
   * date-time is written as its wall-clock time in the time zone, not in UTC.
   */
  readonly wallClock: boolean;
  /** The constant is a choice option: already resolved to its number. */
  readonly file: string;
}

/** A lookup bound through the crosswalk/alternate key of another mapping's rows. */
export interface IrLookup {
  readonly column: string;
  /** Candidates in order; the first whose referenced row exists is bound. */
  readonly candidates: readonly {
    readonly path: readonly string[];
    readonly mapping: string;
    readonly table: string;
    readonly entitySet: string;
    readonly nav: string;
  }[];
  /** For a list of objects: which element, and which element field holds the id. */
  readonly pick:
    | {
        readonly mode: 'most_recent' | 'first';
        readonly element: string | undefined;
        readonly orderBy: string | undefined;
      }
    | undefined;
  readonly required: boolean;
  /** Bound in the second pass (after every mapping has loaded). */
  readonly deferred: boolean;
  readonly file: string;
}

/** A connection role bound to a role lookup column. */
export interface IrRoleBinding {
  readonly column: string;
  readonly role: string;
  readonly nav: string;
}

export type IrKey =
  | {
      readonly kind: 'alternate';
      readonly column: string;
      readonly prefix: string;
      readonly sources: readonly (readonly string[])[];
    }
  | { readonly kind: 'derived'; readonly prefix: string; readonly sources: readonly (readonly string[])[] }
  | {
      readonly kind: 'match';
      readonly column: string;
      readonly source: readonly string[];
      readonly activeOnly: boolean;
    };

export type IrCondition =
  | {
      readonly kind: 'in' | 'not_in';
      readonly path: readonly string[];
      readonly values: readonly (string | number | boolean)[];
    }
  | { readonly kind: 'present'; readonly path: readonly string[]; readonly present: boolean }
  | { readonly kind: 'not_matched_by'; readonly mapping: string };

export interface IrMapping {
  readonly name: string;
  /** Files the mapping comes from, relative to the spec directory: its own and its extensions'. */
  readonly files: readonly string[];
  readonly description: string | undefined;
  readonly source: string;
  readonly target: string;
  readonly mode: 'upsert' | 'update';
  readonly key: IrKey;
  /** For update mappings keyed like another mapping's rows: that mapping. */
  readonly updates: string | undefined;
  readonly where: readonly IrCondition[];
  readonly each:
    | {
        readonly path: readonly string[];
        readonly skipMostRecent: boolean;
        readonly orderBy: string | undefined;
      }
    | undefined;
  readonly group:
    | {
        readonly by: readonly string[];
        readonly pick: 'latest' | 'earliest';
        readonly orderBy: readonly string[];
      }
    | undefined;
  readonly fields: readonly IrField[];
  readonly lookups: readonly IrLookup[];
  readonly roles: readonly IrRoleBinding[];
  readonly owner:
    | { readonly kind: 'staff' | 'email'; readonly path: readonly string[]; readonly nav: string }
    | undefined;
  readonly state: { readonly path: readonly string[]; readonly map: string } | undefined;
  readonly document: { readonly path: readonly string[]; readonly maxBytes: number } | undefined;
  readonly archive:
    | {
        readonly name: readonly IrTemplatePart[];
        readonly columns: readonly (readonly string[])[];
        readonly urlColumn: string;
      }
    | undefined;
  /** Split step of a field, if any: the row is repeated per part. */
  readonly split: { readonly column: string; readonly titleColumn: string | undefined } | undefined;
  readonly dependsOn: readonly string[];
}

export interface IrDeferredLookup {
  readonly mapping: string;
  readonly column: string;
  readonly references: readonly string[];
}

/** What the Dynamics admin creates before the load (and what `schema apply` creates). */
export interface IrSchemaPlan {
  readonly license: 'professional' | 'enterprise';
  readonly publisher: {
    readonly prefix: string;
    readonly optionValuePrefix: number;
    readonly solution: string | undefined;
  };
  readonly tables: readonly IrPlanTable[];
  readonly connectionRoles: readonly { readonly name: string; readonly usedBy: readonly string[] }[];
  readonly privileges: readonly {
    readonly name: string;
    readonly why: string;
    readonly tables: readonly string[];
  }[];
  /**
   * The fallback owner (owners.fallback) and the tables whose mappings set an owner: Dataverse refuses a
   * row whose owner cannot read its table, so its security role needs Read on each. Undefined when no
   * mapping sets an owner.
   */
  readonly fallbackOwner: { readonly email: string; readonly tables: readonly string[] } | undefined;
  /** The organisation's own custom tables (target snapshot) the plan does not create: the table limit counts them. */
  readonly orgCustomTables: readonly string[];
  readonly flags: readonly IrLimitFlag[];
  readonly loadOrder: readonly {
    readonly mapping: string;
    readonly table: string;
    readonly dependsOn: readonly string[];
    readonly deferred: readonly string[];
  }[];
}

export interface IrPlanTable {
  readonly name: string;
  readonly label: string;
  readonly custom: IrPlanCustomTable | undefined;
  readonly columns: readonly IrPlanColumn[];
  readonly keys: readonly {
    readonly name: string;
    readonly label: string;
    readonly columns: readonly string[];
  }[];
  /** Custom columns the table will have: the spec's and the organisation's own (orgCustomColumns). */
  readonly customColumnCount: number;
  /** The organisation's own custom columns on the table (target snapshot) the spec does not declare. */
  readonly orgCustomColumns: readonly string[];
}

export interface IrPlanCustomTable {
  readonly schemaName: string;
  /** The entity set the run writes to; `schema apply` creates the table with it (EntitySetName). */
  readonly entitySet: string;
  readonly label: string;
  readonly pluralLabel: string;
  readonly description: string | undefined;
  readonly ownership: 'user' | 'organization';
  readonly hasNotes: boolean;
  readonly primaryName: { readonly name: string; readonly label: string; readonly maxLength: number };
}

export interface IrPlanColumn {
  readonly name: string;
  readonly schemaName: string;
  readonly label: string;
  readonly description: string | undefined;
  readonly type:
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
  readonly required: 'none' | 'recommended' | 'application';
  readonly maxLength: number | undefined;
  readonly format: string | undefined;
  readonly precision: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly behavior: 'user_local' | 'date_only' | 'time_zone_independent' | undefined;
  readonly trueLabel: string | undefined;
  readonly falseLabel: string | undefined;
  readonly options: readonly { readonly key: string; readonly label: string; readonly value: number }[];
  readonly target: string | undefined;
  /** Mappings that write the column. */
  readonly usedBy: readonly string[];
}

export interface IrLimitFlag {
  readonly kind: 'custom-columns-per-table' | 'custom-tables';
  readonly table: string | undefined;
  readonly count: number;
  readonly limit: number;
  /** How many of `count` the spec creates: custom columns it declares on the table, or custom tables. */
  readonly fromSpec: number;
  /** The rest of `count`: the organisation's own custom columns on the table, or custom tables (target snapshot). */
  readonly fromOrganisation: readonly string[];
  /** Where the rule comes from: the licensing guide (custom tables) or the seed document (columns per table). */
  readonly rule: string;
  readonly acknowledged: string | undefined;
  readonly blocking: boolean;
  readonly resolutions: readonly string[];
}
