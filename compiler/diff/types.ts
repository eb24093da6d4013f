/**
 * The mapping diff: what a spec change does to the data, as plain data (JSON-serialisable). Built from
 * two IRs by `diffIr`; rendered to Markdown or JSON by the renderers. Values a reviewer reads (source
 * paths, transform chains, keys) are carried as short text in the words of the YAML, so both renderers
 * show the same thing.
 */
export interface MappingDiff {
  /** Mappings added, removed or changed, by name. */
  readonly mappings: readonly MappingChange[];
  readonly schema: SchemaDiff;
  /** Present when the load order (or what a step waits for) changed. */
  readonly loadOrder: LoadOrderChange | undefined;
  /** Migration-wide settings (licence, publisher, policies, time zone, ...). */
  readonly settings: readonly SettingChange[];
  /** Changes that affect data already loaded, each with what to do. */
  readonly risks: readonly RiskNote[];
}

/** One property before and after; `undefined` means absent on that side. */
export interface SettingChange {
  readonly name: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** A mapping as a reviewer identifies it. */
export interface MappingHeader {
  readonly source: string;
  readonly target: string;
  readonly mode: 'upsert' | 'update';
  readonly key: string;
  /** The mapping's own description, shown for context (a changed description is not a data change). */
  readonly description: string | undefined;
}

/** One object mapping's changes; `before` is absent for an added mapping, `after` for a removed one. */
export interface MappingChange {
  readonly mapping: string;
  readonly before: MappingHeader | undefined;
  readonly after: MappingHeader | undefined;
  readonly changes: readonly ObjectChange[];
}

/** A value a value-map entry produces: an option (with its label), a state/status pair, text, or empty. */
export interface MapValue {
  readonly value: number | string | null | { readonly state: number; readonly status: number };
  readonly label: string | undefined;
}

/** A value-map entry whose result changed; `undefined` means the source value is not in the map. */
export interface EntryChange {
  readonly source: string;
  readonly before: MapValue | undefined;
  readonly after: MapValue | undefined;
}

/**
 * What a source value with no entry gets on the head side: the map's default (as text), else what its
 * `unmapped` policy does.
 */
export interface Unmatched {
  readonly default: string | undefined;
  readonly unmapped: 'reject' | 'drop_with_flag';
}

/** What a value map is used for: a field's column, or the mapping's state rule. */
export type MapUse = { readonly kind: 'column'; readonly column: string } | { readonly kind: 'state' };

/** A lookup as a reviewer reads it. */
export interface LookupView {
  /** `mapping via path` per candidate, in order (the first that exists is bound). */
  readonly candidates: readonly string[];
  readonly pick: string | undefined;
  readonly required: boolean;
  readonly deferred: boolean;
}

/** A change inside one mapping. */
export type ObjectChange =
  | {
      readonly kind: 'field-added' | 'field-removed';
      readonly column: string;
      readonly source: string;
      readonly steps: readonly string[];
    }
  | {
      /** Same source, other column (a field map or a lookup). */
      readonly kind: 'retargeted';
      readonly before: string;
      readonly after: string;
      readonly source: string;
    }
  | {
      readonly kind: 'field-source';
      readonly column: string;
      readonly before: string;
      readonly after: string;
    }
  | {
      readonly kind: 'chain';
      readonly column: string;
      readonly before: readonly string[];
      readonly after: readonly string[];
    }
  | {
      readonly kind: 'value-map';
      readonly use: MapUse;
      readonly before: string;
      readonly after: string;
      readonly entries: readonly EntryChange[];
      /** default, unmapped policy, case sensitivity. */
      readonly settings: readonly SettingChange[];
      readonly unmatched: Unmatched;
    }
  | { readonly kind: 'lookup-added' | 'lookup-removed'; readonly column: string; readonly lookup: LookupView }
  | {
      readonly kind: 'lookup-changed';
      readonly column: string;
      readonly before: LookupView;
      readonly after: LookupView;
      readonly settings: readonly SettingChange[];
    }
  | {
      readonly kind: 'key';
      readonly before: string;
      readonly after: string;
      readonly parts: readonly string[];
    }
  | { readonly kind: 'setting'; readonly setting: SettingChange };

/** A custom choice option before and after. */
export interface OptionChange {
  readonly key: string;
  readonly before: { readonly label: string; readonly value: number } | undefined;
  readonly after: { readonly label: string; readonly value: number } | undefined;
}

/** A custom column declared by the spec: added (to create), removed, or changed. */
export interface ColumnChange {
  readonly status: 'added' | 'removed' | 'changed';
  readonly column: string;
  readonly label: string;
  /** `string (max_length 100)`, `choice (3 options)`, `lookup to account`, ... */
  readonly type: string;
  readonly settings: readonly SettingChange[];
  readonly options: readonly OptionChange[];
}

/** A table of the schema plan whose custom columns, custom table or alternate keys changed. */
export interface TableChange {
  readonly table: string;
  readonly customTable:
    | { readonly status: 'added' | 'removed' | 'changed'; readonly settings: readonly SettingChange[] }
    | undefined;
  readonly columns: readonly ColumnChange[];
  readonly keys: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Custom columns on the table before → after. */
  readonly count: { readonly before: number; readonly after: number };
  /** The per-table limit on each side (15 on Sales Professional, none on Enterprise). */
  readonly limit: { readonly before: number | undefined; readonly after: number | undefined };
}

/** A licensing flag as it stands on one side. */
export interface FlagView {
  readonly count: number;
  readonly limit: number;
  readonly blocking: boolean;
  readonly acknowledged: string | undefined;
}

/** A licensing flag that appeared, disappeared or changed. */
export interface FlagChange {
  readonly flag: 'custom-columns-per-table' | 'custom-tables';
  readonly table: string | undefined;
  readonly before: FlagView | undefined;
  readonly after: FlagView | undefined;
}

/** Changes to the schema plan: what the Dynamics admin creates before the load. */
export interface SchemaDiff {
  readonly tables: readonly TableChange[];
  readonly flags: readonly FlagChange[];
  readonly customTables: { readonly before: number; readonly after: number };
  readonly connectionRoles: { readonly added: readonly string[]; readonly removed: readonly string[] };
  readonly privileges: { readonly added: readonly string[]; readonly removed: readonly string[] };
}

/** One step of the load order. */
export interface LoadStep {
  readonly mapping: string;
  readonly dependsOn: readonly string[];
  readonly deferred: readonly string[];
}

export interface LoadOrderChange {
  readonly before: readonly LoadStep[];
  readonly after: readonly LoadStep[];
}

/** What a value-map risk note is about: a map, as a mapping uses it. */
interface ValueMapNote {
  readonly mapping: string;
  readonly table: string;
  readonly map: string;
  readonly use: MapUse;
}

/** A change that affects data already loaded. */
export type RiskNote =
  | {
      readonly kind: 'key-changed';
      readonly mapping: string;
      readonly table: string;
      readonly mode: 'upsert' | 'update';
      readonly before: string;
      readonly after: string;
    }
  | {
      readonly kind: 'column-narrowed';
      readonly table: string;
      readonly column: string;
      readonly before: number;
      readonly after: number;
    }
  | {
      readonly kind: 'behavior-changed';
      readonly table: string;
      readonly column: string;
      readonly before: string;
      readonly after: string;
    }
  | {
      /** The range a number column accepts shrinks: the bounds set or moved inwards (before undefined: none). */
      readonly kind: 'range-narrowed';
      readonly table: string;
      readonly column: string;
      readonly bounds: readonly {
        readonly bound: 'min' | 'max';
        readonly before: number | undefined;
        readonly after: number;
      }[];
    }
  | {
      readonly kind: 'column-type-changed';
      readonly table: string;
      readonly column: string;
      readonly before: string;
      readonly after: string;
    }
  | {
      readonly kind: 'options-removed' | 'options-renumbered';
      readonly table: string;
      readonly column: string;
      readonly options: readonly OptionChange[];
    }
  | { readonly kind: 'mapping-removed'; readonly mapping: string; readonly table: string }
  | {
      readonly kind: 'mapping-renamed';
      readonly before: string;
      readonly after: string;
      readonly table: string;
      readonly key: string;
    }
  | {
      readonly kind: 'field-retargeted';
      readonly mapping: string;
      readonly table: string;
      readonly before: string;
      readonly after: string;
    }
  | (ValueMapNote & {
      /** Entries on both sides that give another value: the first few, and how many there are. */
      readonly kind: 'value-map-retargeted';
      readonly count: number;
      readonly entries: readonly EntryChange[];
    })
  | (ValueMapNote & {
      /** Entries the head no longer has: the first few, how many, and what their values get now. */
      readonly kind: 'value-map-entries-removed';
      readonly count: number;
      readonly entries: readonly EntryChange[];
      readonly unmatched: Unmatched;
    })
  | (ValueMapNote & {
      /** The map's default changes or goes: `before` is the old default as text. */
      readonly kind: 'value-map-default-changed';
      readonly before: string;
      readonly unmatched: Unmatched;
    })
  | { readonly kind: 'lookup-optional'; readonly mapping: string; readonly column: string }
  | {
      readonly kind: 'where-changed';
      readonly mapping: string;
      readonly table: string;
      readonly before: string | undefined;
      readonly after: string;
    }
  | {
      readonly kind: 'flag-blocking';
      readonly flag: 'custom-columns-per-table' | 'custom-tables';
      readonly table: string | undefined;
      readonly count: number;
      readonly limit: number;
    };

export type RiskKind = RiskNote['kind'];
