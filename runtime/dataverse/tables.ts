import type { Transport } from './http.ts';
import { literal } from './odata.ts';

/** What the client needs to know about a table to address its records. */
export interface TableInfo {
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryIdAttribute: string;
  readonly primaryNameAttribute: string | null;
  readonly objectTypeCode: number | null;
}

const SELECT = 'LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,ObjectTypeCode';

/**
 * No table of the organisation has the entity set the generated code writes to: the table is missing,
 * or its EntitySetName differs from the spec's (an admin can change a custom table's). An environment
 * error: the CLI prints it without a stack trace and exits 2.
 */
export class UnknownEntitySetError extends Error {
  override readonly name = 'UnknownEntitySetError';
  readonly hint =
    'run `flitstack schema verify`: it names the table that is missing or whose entity set name differs from the spec, and what to change';

  constructor(readonly entitySet: string) {
    super(
      `no table in the organisation has the entity set '${entitySet}' that the generated code writes to (EntitySetName in EntityDefinitions, case-sensitive; GET EntityDefinitions?$filter=EntitySetName eq '${entitySet}' found none)`,
    );
  }
}

/**
 * Table names and primary keys read from EntityDefinitions once per table and client (query-metadata-
 * web-api); the primary key of an activity is `activityid`, so it is read, never derived from the name.
 */
export class TableCatalog {
  private readonly bySetName = new Map<string, Promise<TableInfo>>();

  constructor(private readonly transport: Transport) {}

  /** The table behind an entity set; throws when there is none. */
  bySet(entitySet: string): Promise<TableInfo> {
    let found = this.bySetName.get(entitySet);
    if (!found) {
      found = this.load(entitySet);
      this.bySetName.set(entitySet, found);
      // A failure is not cached: the next call asks again.
      found.catch(() => this.bySetName.delete(entitySet));
    }
    return found;
  }

  /** Forgets what was read (after the schema changed). */
  clear(): void {
    this.bySetName.clear();
  }

  private async load(entitySet: string): Promise<TableInfo> {
    const filter = encodeURIComponent(`EntitySetName eq ${literal(entitySet)}`);
    const res = await this.transport.send({
      method: 'GET',
      path: `EntityDefinitions?$select=${SELECT}&$filter=${filter}`,
      kind: 'metadata',
      operation: `read the definition of entity set ${entitySet}`,
    });
    const value = (res.body as { value?: Record<string, unknown>[] }).value ?? [];
    const def = value[0];
    if (!def) throw new UnknownEntitySetError(entitySet);
    return {
      logicalName: String(def.LogicalName),
      entitySetName: String(def.EntitySetName),
      primaryIdAttribute: String(def.PrimaryIdAttribute),
      primaryNameAttribute: typeof def.PrimaryNameAttribute === 'string' ? def.PrimaryNameAttribute : null,
      objectTypeCode: typeof def.ObjectTypeCode === 'number' ? def.ObjectTypeCode : null,
    };
  }
}
