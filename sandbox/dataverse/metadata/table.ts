import { auditColumns, guid, ownedColumns, systemNavs } from './columns.ts';
import type { ColumnDef, KeyDef, NavDef, TableDef } from './types.ts';

/** What a table definition spells out; `tableDef` adds the primary key and the system columns. */
export interface TableInput {
  readonly logicalName: string;
  readonly schemaName: string;
  readonly entitySetName: string;
  readonly displayName: string;
  readonly displayCollectionName: string;
  readonly primaryId: string;
  readonly primaryName: string;
  readonly ownership: TableDef['ownership'];
  readonly objectTypeCode: number;
  readonly isCustom?: boolean;
  readonly isActivity?: boolean;
  readonly hasNotes?: boolean;
  readonly bulk?: boolean;
  /**
   * False for a table whose rows are only created and deleted, never changed, so it has no modifiedon or
   * modifiedby: REF`postfollow` (web API reference: createdon, no modifiedon; POST GET DELETE only).
   */
  readonly modifiable?: boolean;
  readonly writable?: boolean;
  readonly updatable?: boolean;
  /** statecode/statuscode columns, or none for tables without state (annotation). */
  readonly states?: readonly ColumnDef[];
  readonly columns: readonly ColumnDef[];
  readonly navs?: readonly NavDef[];
  readonly keys?: readonly KeyDef[];
}

/** Builds a full table definition: primary key first, then the table's own columns, state and audit columns. */
export function tableDef(input: TableInput): TableDef {
  const owned = input.ownership === 'UserOwned';
  const isActivity = input.isActivity ?? false;
  const primary = guid(input.primaryId, {
    isPrimaryId: true,
    validForUpdate: false,
    schemaName: input.primaryId === 'activityid' ? 'ActivityId' : `${input.schemaName}Id`,
  });
  const modifiable = input.modifiable ?? true;
  const unmodified = (name: string) => modifiable || (name !== 'modifiedon' && name !== 'modifiedby');
  const system = (owned ? ownedColumns() : auditColumns()).filter((c) => unmodified(c.logicalName));
  const own = new Set(input.columns.map((c) => c.logicalName));
  return {
    logicalName: input.logicalName,
    schemaName: input.schemaName,
    entitySetName: input.entitySetName,
    displayName: input.displayName,
    displayCollectionName: input.displayCollectionName,
    primaryId: input.primaryId,
    primaryName: input.primaryName,
    ownership: input.ownership,
    objectTypeCode: input.objectTypeCode,
    isCustom: input.isCustom ?? false,
    isActivity,
    hasNotes: input.hasNotes ?? false,
    bulk: input.bulk ?? false,
    writable: input.writable ?? true,
    updatable: input.updatable ?? input.writable ?? true,
    columns: [
      primary,
      ...input.columns,
      ...(input.states ?? []),
      ...system.filter((c) => !own.has(c.logicalName)),
    ],
    navs: [
      ...(input.navs ?? []),
      ...systemNavs(input.logicalName, isActivity, owned).filter((n) => unmodified(n.column)),
    ],
    keys: input.keys ?? [],
  };
}
