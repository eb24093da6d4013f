import { createHash, randomUUID } from 'node:crypto';
import { STANDARD_TABLES } from './standard.ts';
import type { ColumnDef, ColumnMeta, KeyDef, KeyMeta, NavDef, TableDef, TableMeta } from './types.ts';

/** A stable GUID from a name, so metadata ids of standard tables do not change between runs. */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The live table definitions of one sandbox: standard tables plus whatever metadata requests created. */
export class Catalog {
  private readonly tables = new Map<string, TableMeta>();
  private readonly bySet = new Map<string, TableMeta>();
  private nextObjectTypeCode = 10000;

  constructor(bulkOverrides: Readonly<Record<string, boolean>> = {}) {
    for (const def of STANDARD_TABLES) this.addTable(def);
    for (const [name, bulk] of Object.entries(bulkOverrides)) {
      const table = this.tables.get(name);
      if (!table) throw new Error(`bulkMessages: unknown table '${name}'`);
      table.bulk = bulk;
    }
  }

  /** All tables, standard first, then custom ones in creation order. */
  all(): TableMeta[] {
    return [...this.tables.values()];
  }

  /** A table by logical name (case-sensitive, as Dataverse names are lower case). */
  table(logicalName: string): TableMeta | undefined {
    return this.tables.get(logicalName);
  }

  /** A table by entity set name (case-sensitive: client errors doc, 'Account' is not 'accounts'). */
  bySetName(entitySetName: string): TableMeta | undefined {
    return this.bySet.get(entitySetName);
  }

  /** A table by its metadata id. */
  byMetadataId(id: string): TableMeta | undefined {
    const lower = id.toLowerCase();
    return this.all().find((t) => t.metadataId === lower);
  }

  /** Registers a table; custom tables get the next object type code. */
  addTable(def: TableDef): TableMeta {
    const metadataId = def.isCustom ? randomUUID() : nameGuid(`table:${def.logicalName}`);
    const table: TableMeta = {
      def: def.isCustom ? { ...def, objectTypeCode: this.nextObjectTypeCode++ } : def,
      metadataId,
      columns: new Map(),
      navs: new Map(),
      keys: [],
      bulk: def.bulk,
    };
    for (const column of def.columns) this.putColumn(table, column);
    for (const n of def.navs) table.navs.set(n.name, n);
    for (const key of def.keys)
      table.keys.push({ ...key, metadataId: nameGuid(`key:${key.logicalName}`), status: 'Active' });
    this.tables.set(def.logicalName, table);
    this.bySet.set(def.entitySetName, table);
    return table;
  }

  /** Adds a column to a table (metadata create); the Web API may use it at once (reference §5.3). */
  addColumn(table: TableMeta, column: ColumnDef): ColumnMeta {
    return this.putColumn(table, column);
  }

  /** Adds a navigation property (from a new lookup, or from a new table with HasNotes). */
  addNav(table: TableMeta, n: NavDef): void {
    table.navs.set(n.name, n);
  }

  /** Adds an alternate key; its index starts Pending and is activated later by the caller. */
  addKey(table: TableMeta, key: KeyDef): KeyMeta {
    const meta: KeyMeta = { ...key, metadataId: randomUUID(), status: 'Pending' };
    table.keys.push(meta);
    return meta;
  }

  /** Number of custom tables (the Sales Professional limit counts these, reference §6). */
  customTableCount(): number {
    return this.all().filter((t) => t.def.isCustom).length;
  }

  /**
   * Custom columns of a table, counted the way the schema plan counts them: columns created through
   * metadata, not the primary key and primary name that come with a custom table.
   */
  customColumnCount(table: TableMeta): number {
    let n = 0;
    for (const c of table.columns.values()) if (c.isCustom && !c.isPrimaryId && !c.isPrimaryName) n += 1;
    return n;
  }

  /** Active keys of a table: only these can address records or enforce uniqueness. */
  activeKeys(table: TableMeta): KeyMeta[] {
    return table.keys.filter((k) => k.status === 'Active');
  }

  private putColumn(table: TableMeta, column: ColumnDef): ColumnMeta {
    const metadataId = column.isCustom
      ? randomUUID()
      : nameGuid(`column:${table.def.logicalName}.${column.logicalName}`);
    const meta: ColumnMeta = { ...column, metadataId };
    table.columns.set(column.logicalName, meta);
    return meta;
  }
}
