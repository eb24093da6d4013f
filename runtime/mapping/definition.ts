import type { Outcome } from './outcome.ts';
import type { SourceRecord } from './records.ts';

/** A lookup column and where its candidates' rows come from. */
export interface LookupDefinition {
  readonly column: string;
  readonly required: boolean;
  /** Bound in the second pass, after every mapping has loaded (breaks cycles such as clinic → parent). */
  readonly deferred: boolean;
  readonly candidates: readonly {
    readonly mapping: string;
    readonly table: string;
    readonly entitySet: string;
    readonly nav: string;
  }[];
}

/** Everything the runtime needs to know about one mapping; `transform` is the generated pure function. */
export interface MappingDefinition {
  readonly name: string;
  readonly files: readonly string[];
  readonly description?: string;
  readonly source: string;
  readonly target: string;
  readonly mode: 'upsert' | 'update';
  readonly key:
    | { readonly kind: 'alternate'; readonly column: string; readonly prefix: string }
    | { readonly kind: 'derived'; readonly prefix: string }
    | { readonly kind: 'match'; readonly column: string; readonly activeOnly: boolean };
  /** The mapping whose rows an update mapping changes. */
  readonly updates?: string;
  /** Routing conditions the runtime checks (the record was not matched by that mapping). */
  readonly notMatchedBy: readonly string[];
  readonly lookups: readonly LookupDefinition[];
  readonly roles: readonly { readonly column: string; readonly role: string; readonly nav: string }[];
  readonly owner?: { readonly kind: 'staff' | 'email'; readonly nav: string };
  readonly hasState: boolean;
  readonly document?: { readonly maxBytes: number };
  readonly group?: {
    readonly by: readonly string[];
    readonly pick: 'latest' | 'earliest';
    readonly orderBy: readonly string[];
  };
  readonly archive?: {
    readonly name: readonly ({ readonly text: string } | { readonly path: readonly string[] })[];
    readonly columns: readonly (readonly string[])[];
    readonly urlColumn: string;
  };
  readonly fanOut: boolean;
  readonly split?: { readonly column: string; readonly titleColumn?: string };
  readonly dependsOn: readonly string[];
  readonly columns: readonly string[];
  transform(record: SourceRecord): Outcome<Readonly<Record<string, unknown>>>;
}

/**
 * Whether a mapping's rows are its records' own: it creates them (upsert) one record at a time, not
 * updating another mapping's rows nor loading the pick of a group, so that its record's deletion and
 * its record's changes decide what becomes of them.
 */
export function ownsRows(m: MappingDefinition): boolean {
  return m.mode === 'upsert' && !m.group;
}

/**
 * Whether the rows a mapping's record produces can change in number between runs (a fan-out over a
 * list, a note split into parts), so that a record may stop producing a row it produced before.
 */
export function producesVaryingRows(m: MappingDefinition): boolean {
  return (m.fanOut || m.split !== undefined) && ownsRows(m);
}

/**
 * The crosswalk key of the row a lookup value points to: the referenced mapping's prefix and the
 * source id, or the value itself for a mapping that matches existing rows (an email).
 */
export function referencedKey(target: MappingDefinition, value: string): string {
  return target.key.kind === 'match' ? value : `${target.key.prefix}${value}`;
}

/** A column of a target table as the runtime needs it (metadata checks, payload formats). */
export interface ColumnDefinition {
  readonly type: string;
  readonly maxLength?: number;
  readonly custom: boolean;
  readonly createOnly: boolean;
  readonly targets: readonly { readonly table: string; readonly nav: string }[];
}

/** A Dataverse table the migration writes. */
export interface TableDefinition {
  readonly name: string;
  readonly entitySet: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly custom: boolean;
  readonly ownership: 'user' | 'organization' | 'none';
  readonly bulkMessages: boolean;
  readonly alternateKeys: readonly string[];
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
}

/** A source resource the migration reads. */
export interface ResourceDefinition {
  readonly name: string;
  /** Top-level fields read (for `fields=` projection). */
  readonly used: readonly string[];
  /** Fields holding patient data: never logged. */
  readonly phi: readonly string[];
  readonly mappings: readonly string[];
}

/** The migration settings the runtime uses. */
export interface MigrationDefinition {
  readonly name: string;
  readonly region: 'eu' | 'us' | 'au';
  readonly account?: string;
  readonly requestsPerSecond: number;
  readonly pageSize: number;
  readonly license: 'professional' | 'enterprise';
  readonly prefix: string;
  readonly optionValuePrefix: number;
  readonly solution?: string;
  readonly timeZone: string;
  readonly batchSize: number;
  readonly sampleSize: number;
  readonly tolerance: number;
  readonly checksums: 'all' | 'sample';
  readonly fallbackOwner?: string;
  /** owners.staff: where staff ids find their emails (absent: no mapping owns by staff id). */
  readonly staff?: { readonly resource: string; readonly emailField: string };
  readonly deletedRecords: 'deactivate' | 'delete' | 'ignore';
  readonly archive?: { readonly dir: string; readonly baseUrl: string };
  readonly maxUploadFileSize: number;
}

/** What generated/transformer.ts exports. */
export interface GeneratedModule {
  readonly MIGRATION: MigrationDefinition;
  readonly LOAD_ORDER: readonly string[];
  readonly MAPPINGS: Readonly<Record<string, MappingDefinition>>;
  readonly TABLES: Readonly<Record<string, TableDefinition>>;
  readonly RESOURCES: Readonly<Record<string, ResourceDefinition>>;
}
