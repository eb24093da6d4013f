import type { DataverseClient } from '../dataverse/index.ts';
import type { ColumnDefinition, GeneratedModule } from '../mapping/index.ts';

/** What a rollback needs to know of a table: where its rows live and, when the spec knows it, its columns. */
export interface TargetTable {
  readonly name: string;
  readonly entitySet: string;
  readonly primaryId: string;
  /** The spec's columns of the table (create-only flags, lookup navigation properties); absent otherwise. */
  readonly columns?: Readonly<Record<string, ColumnDefinition>>;
}

/**
 * Tables by logical name: from the generated module first, else from the organisation's metadata (a
 * table the spec no longer writes, or a lookup's target such as systemuser or team), read once per
 * rollback. A rollback works from the journal, so it must not depend on the spec still naming a table.
 */
export class TableResolver {
  private readonly read = new Map<string, Promise<TargetTable | undefined>>();

  constructor(
    private readonly module: GeneratedModule,
    private readonly client: DataverseClient,
  ) {}

  /** The table, or undefined when the organisation has no such table. */
  get(name: string): Promise<TargetTable | undefined> {
    const known = this.module.TABLES[name];
    if (known) return Promise.resolve(known);
    let found = this.read.get(name);
    if (!found) {
      found = this.client
        .entityDefinition(name)
        .then((d) =>
          d
            ? { name: d.logicalName, entitySet: d.entitySetName, primaryId: d.primaryIdAttribute }
            : undefined,
        );
      this.read.set(name, found);
    }
    return found;
  }
}
