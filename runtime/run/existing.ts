import { readRowsInBatches } from '../compare/read.ts';
import { type DataverseClient, literal } from '../dataverse/index.ts';
import type { Journal } from '../journal/index.ts';
import type { MappingDefinition, TableDefinition } from '../mapping/index.ts';
import type { PreparedRow } from './state.ts';

type AlternateKey = Extract<MappingDefinition['key'], { kind: 'alternate' }>;

/** How many rows of a mapping a run found in Dataverse that its journal did not know. */
export interface FoundRows {
  readonly mapping: string;
  readonly table: string;
  readonly rows: number;
}

/**
 * Rows a run would create though Dataverse may hold them already: a journal's crosswalk knows only the
 * rows its own runs wrote, and row ids are derived from account, table and key (ids.ts), so another
 * journal (another file, a lost or moved .flitstack/, one that sampled or ran before or after this one)
 * may have written any of them, and a run that upserted over them would journal them as created, which a
 * rollback then deletes. Before each write, the rows it would create are looked for by id, and those
 * found are written as updates: their pre-images are read first, and a row gone meanwhile is created and
 * journaled so (write.ts `recreated`). The look is skipped, for the whole run, only for a mapping keyed by
 * a column whose crosswalk holds none of its rows and of which Dataverse holds no row either (one query
 * by key prefix before its first write): every row of it the run then meets is one it created.
 * Costs: that one query per such mapping; otherwise one request per write of a mapping that creates rows
 * (up to 50,000 ids, as GET parts of a $batch), whatever the journal. One instance per run.
 */
export class ExistingRows {
  readonly #client: DataverseClient;
  readonly #journal: Pick<Journal, 'crosswalk'>;
  /** Per mapping: whether rows it creates may exist (false: Dataverse held none of them when the run began). */
  readonly #mayExist = new Map<string, boolean>();
  readonly #found = new Map<string, FoundRows>();
  /** The ids (lower case) of the rows `check` turned into updates and `count` has not counted yet. */
  readonly #turned = new Set<string>();

  constructor(client: DataverseClient, journal: Pick<Journal, 'crosswalk'>) {
    this.#client = client;
    this.#journal = journal;
  }

  /** The rows of one mapping to write, those to create that Dataverse holds turned into updates. */
  async check(rows: readonly PreparedRow[]): Promise<readonly PreparedRow[]> {
    const creates = rows.filter((r) => r.create);
    const m = creates[0]?.mapping;
    if (m === undefined || m.mode !== 'upsert' || !(await this.#mayHold(m, creates))) return rows;
    const there = await this.#held(creates);
    if (there.size === 0) return rows;
    // Without the id prepareRow put in a new row's body: `recreated` puts it back for a row gone since.
    return rows.map((r) => {
      const id = r.targetId.toLowerCase();
      if (!r.create || !there.has(id)) return r;
      this.#turned.add(id);
      const { [r.table.primaryId]: _id, ...body } = r.body;
      return { ...r, create: false, body };
    });
  }

  /**
   * Counts the rows `check` turned into updates whose pre-image holds the row (`images`, by id): not
   * those gone since, nor those an interrupted run of this journal created (its staged image is empty),
   * which are journaled as created and which a rollback deletes.
   */
  count(rows: readonly PreparedRow[], images: ReadonlyMap<string, unknown>): void {
    const found = rows.filter(
      (r) => this.#turned.delete(r.targetId.toLowerCase()) && images.get(r.targetId.toLowerCase()),
    );
    if (found.length === 0) return;
    const { mapping, table } = found[0]!;
    const before = this.#found.get(mapping.name)?.rows ?? 0;
    this.#found.set(mapping.name, { mapping: mapping.name, table: table.name, rows: before + found.length });
  }

  /** The mappings this run found rows of that the journal did not know, with how many. */
  found(): FoundRows[] {
    return [...this.#found.values()];
  }

  async #mayHold(m: MappingDefinition, creates: readonly PreparedRow[]): Promise<boolean> {
    let may = this.#mayExist.get(m.name);
    if (may === undefined) {
      // Resolved as the write resolves it (read once per client): an entity set no table has stops the
      // run with UnknownEntitySetError, its advice to run schema verify, not with the query's 404.
      await this.#client.table(creates[0]!.table.entitySet);
      may =
        m.key.kind !== 'alternate' ||
        this.#journal.crosswalk.count(m.name) > 0 ||
        (await this.#any(m.key, creates[0]!.table));
      this.#mayExist.set(m.name, may);
    }
    return may;
  }

  /**
   * Whether Dataverse holds any row keyed with the mapping's prefix (`startswith`, an OData query
   * function Dataverse's $filter takes, learn.microsoft.com/power-apps/developer/data-platform/webapi/
   * query/filter-rows).
   */
  async #any(key: AlternateKey, table: TableDefinition): Promise<boolean> {
    const filter =
      key.prefix === '' ? `${key.column} ne null` : `startswith(${key.column},${literal(key.prefix)})`;
    for await (const _ of this.#client.query(table.entitySet, { select: [table.primaryId], filter, top: 1 }))
      return true;
    return false;
  }

  /** The ids (lower case) among rows to create that Dataverse holds (readRowsInBatches: one request per 50,000). */
  async #held(creates: readonly PreparedRow[]): Promise<ReadonlySet<string>> {
    const table = creates[0]!.table;
    const ids = creates.map((r) => r.targetId);
    const doing = `looking for rows another journal wrote in ${table.entitySet} before writing (nothing of this write was sent)`;
    return new Set((await readRowsInBatches(this.#client, [{ table, ids, select: [] }], doing)).keys());
  }
}
