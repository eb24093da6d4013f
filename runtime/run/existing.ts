import { IDS_PER_QUERY } from '../compare/read.ts';
import { type DataverseClient, inFilter, literal } from '../dataverse/index.ts';
import type { Journal } from '../journal/index.ts';
import type { MappingDefinition } from '../mapping/index.ts';
import type { PreparedRow } from './state.ts';

/** How many rows of a mapping a run found in Dataverse that its journal did not know. */
export interface FoundRows {
  readonly mapping: string;
  readonly table: string;
  readonly rows: number;
}

/**
 * Rows a run would create though Dataverse may hold them already: a journal's crosswalk knows only the
 * rows its own runs wrote, and row ids are derived from account, table and key (ids.ts), so a new
 * journal (another file, a lost or moved .flitstack/) against an organisation an earlier journal
 * migrated would upsert over that journal's rows and journal them as created, which a rollback then
 * deletes. Before the first write of a mapping whose crosswalk holds none of its rows, one query looks
 * for rows it would create; if there are any, its rows the crosswalk does not know are written as updates
 * for the rest of the run and of the journal's later runs: their pre-images are read first, and a row
 * not found is created and journaled so (write.ts `recreated`). One instance per run.
 */
export class ExistingRows {
  readonly #client: DataverseClient;
  readonly #journal: Pick<Journal, 'crosswalk' | 'foundExisting' | 'markExisting'>;
  /** Per mapping: whether rows the crosswalk does not know may exist. */
  readonly #mayExist = new Map<string, boolean>();
  readonly #found = new Map<string, FoundRows>();

  constructor(
    client: DataverseClient,
    journal: Pick<Journal, 'crosswalk' | 'foundExisting' | 'markExisting'>,
  ) {
    this.#client = client;
    this.#journal = journal;
  }

  /** The rows of one mapping to write, those to create turned into updates when they may exist. */
  async check(rows: readonly PreparedRow[]): Promise<readonly PreparedRow[]> {
    const creates = rows.filter((r) => r.create);
    const m = creates[0]?.mapping;
    if (m === undefined || m.mode !== 'upsert' || !(await this.#check(m, creates))) return rows;
    // Without the id prepareRow put in a new row's body: `recreated` puts it back for a row not found.
    return rows.map((r) => {
      if (!r.create) return r;
      const { [r.table.primaryId]: _id, ...body } = r.body;
      return { ...r, create: false, body };
    });
  }

  /** Counts the rows to create that `check` turned into updates and whose pre-image was found. */
  count(rows: readonly PreparedRow[], images: ReadonlyMap<string, unknown>): void {
    const found = rows.filter((r) => r.create && images.get(r.targetId.toLowerCase()));
    if (found.length === 0) return;
    const { mapping, table } = found[0]!;
    const before = this.#found.get(mapping.name)?.rows ?? 0;
    this.#found.set(mapping.name, { mapping: mapping.name, table: table.name, rows: before + found.length });
  }

  /** The mappings this run found rows of that the journal did not know, with how many. */
  found(): FoundRows[] {
    return [...this.#found.values()];
  }

  async #check(m: MappingDefinition, creates: readonly PreparedRow[]): Promise<boolean> {
    let may = this.#mayExist.get(m.name);
    if (may === undefined) {
      const earlier = this.#journal.foundExisting(m.name);
      may = earlier || (this.#journal.crosswalk.count(m.name) === 0 && (await this.#probe(m, creates)));
      if (may && !earlier) this.#journal.markExisting(m.name);
      this.#mayExist.set(m.name, may);
    }
    return may;
  }

  /**
   * Whether Dataverse holds a row the mapping would create: by its alternate-key column, the first row
   * whose key starts with the mapping's prefix (`startswith`, an OData query function Dataverse's
   * $filter takes, learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows); a
   * mapping with derived ids and no key column (annotations), any of the first rows it is about to write.
   */
  async #probe(m: MappingDefinition, creates: readonly PreparedRow[]): Promise<boolean> {
    const table = creates[0]!.table;
    // Resolved as the write resolves it (read once per client): an entity set no table has stops the
    // run with UnknownEntitySetError, its advice to run schema verify, not with the query's 404.
    await this.#client.table(table.entitySet);
    const filter =
      m.key.kind === 'alternate'
        ? m.key.prefix === ''
          ? `${m.key.column} ne null`
          : `startswith(${m.key.column},${literal(m.key.prefix)})`
        : inFilter(
            table.primaryId,
            creates.slice(0, IDS_PER_QUERY).map((r) => r.targetId),
          );
    for await (const _ of this.#client.query(table.entitySet, { select: [table.primaryId], filter, top: 1 }))
      return true;
    return false;
  }
}
