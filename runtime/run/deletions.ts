import { tableOfRow } from '../compare/read.ts';
import type { DataverseClient } from '../dataverse/index.ts';
import { DataverseError, summarizeError } from '../dataverse/index.ts';
import type { CrosswalkChange, CrosswalkEntry, Journal, OperationInput } from '../journal/index.ts';
import type { GeneratedModule, MappingDefinition } from '../mapping/index.ts';
import { preImages } from './write.ts';

/** What a delta does with a record PracticeHub reports deleted (`deleted_at` set). */
export type DeletePolicy = GeneratedModule['MIGRATION']['deletedRecords'];

/** A source record seen deleted, for one mapping. */
export interface Deletion {
  readonly mapping: MappingDefinition;
  readonly sourceId: string;
  readonly deletedAt: string;
  readonly page: number;
}

/** What deleting produced: operations and crosswalk changes, each with its page. */
export interface Deleted {
  readonly ops: { readonly page: number; readonly op: OperationInput }[];
  readonly crosswalk: { readonly page: number; readonly change: CrosswalkChange }[];
}

/** Deletes and deactivations of one run: remembers which tables have a state (asked once each). */
export class Deletions {
  private readonly states = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly client: DataverseClient,
    private readonly module: GeneratedModule,
    private readonly journal: Journal,
    private readonly policy: DeletePolicy,
  ) {}

  /**
   * Applies the policy to the rows each deleted record produced, as the crosswalk knows them. A
   * mapping that only updates another mapping's rows leaves them: the row is not the record's own.
   */
  async apply(deletions: readonly Deletion[]): Promise<Deleted> {
    const out: Deleted = { ops: [], crosswalk: [] };
    for (const d of deletions) {
      const skip = (reason: string) =>
        out.ops.push({
          page: d.page,
          op: { mapping: d.mapping.name, sourceId: d.sourceId, action: 'skip', reason },
        });
      if (this.policy === 'ignore') {
        skip(`deleted in PracticeHub at ${d.deletedAt}; deleted_records is ignore`);
        continue;
      }
      if (d.mapping.mode !== 'upsert' || d.mapping.group) {
        skip(
          `deleted in PracticeHub at ${d.deletedAt}; ${d.mapping.name} updates rows it does not own, left as they are`,
        );
        continue;
      }
      const entries = this.journal.crosswalk.bySourceIds(d.mapping.name, [d.sourceId]).get(d.sourceId) ?? [];
      if (entries.length === 0) {
        skip(
          `deleted in PracticeHub at ${d.deletedAt}; no row of it in Dataverse (never loaded, or deleted already)`,
        );
        continue;
      }
      for (const entry of entries) {
        const op = await this.remove(d, entry);
        out.ops.push({ page: d.page, op });
        if (op.action === 'delete')
          out.crosswalk.push({
            page: d.page,
            change: { mapping: entry.mapping, key: entry.key, remove: true },
          });
      }
    }
    return out;
  }

  /** The definition of the table a crosswalk row is in; a clear error when the spec no longer writes it. */
  private tableOf(entry: CrosswalkEntry) {
    return tableOfRow(
      this.module,
      entry,
      `apply the deletion in Dynamics, or restore the mapping of ${entry.mapping} to ${entry.table}`,
    );
  }

  /** Deactivates the row (or deletes it, by policy or when its table has no state), with its pre-image. */
  private async remove(d: Deletion, entry: CrosswalkEntry): Promise<OperationInput> {
    const base = {
      mapping: entry.mapping,
      sourceId: d.sourceId,
      key: entry.key,
      table: entry.table,
      targetId: entry.targetId,
      payloadHash: entry.payloadHash,
    };
    try {
      const table = this.tableOf(entry);
      const closed = await this.closedState(entry.table);
      const stated = closed !== undefined;
      // Dataverse deletes a row's dependants with it (cascading relationships), and those deletes
      // would be journaled nowhere, so no rollback could bring them back: a row other migrated rows
      // refer to is deactivated instead, and says so.
      const dependants = this.policy === 'delete' && stated ? await this.dependants(entry) : [];
      const deactivate = stated && (this.policy === 'deactivate' || dependants.length > 0);
      const why =
        dependants.length > 0
          ? `deleted in PracticeHub at ${d.deletedAt}; deactivated, not deleted: ${dependants.join(', ')} loaded by the migration refer to it and Dataverse would delete them with it`
          : `deleted in PracticeHub at ${d.deletedAt}`;
      const image = await this.image(d.mapping, entry, deactivate);
      const gone = {
        ...base,
        action: 'skip',
        reason: `deleted in PracticeHub at ${d.deletedAt}; the row is already gone from Dataverse`,
      } as const;
      if (image === undefined) return gone;
      if (deactivate) {
        if (image.statecode === closed)
          return {
            ...base,
            action: 'skip',
            reason: `deleted in PracticeHub at ${d.deletedAt}; the row is already closed (statecode ${closed})`,
          };
        await this.client.setState(table.entitySet, entry.targetId, closed!);
        return { ...base, action: 'deactivate', preImage: image, reason: why };
      }
      // Gone between the read and the delete (404): nothing was deleted, so nothing to restore later.
      if (!(await this.client.delete(table.entitySet, entry.targetId, { missingOk: true }))) return gone;
      return {
        ...base,
        action: 'delete',
        preImage: image,
        reason: `deleted in PracticeHub at ${d.deletedAt}`,
      };
    } catch (error) {
      const e = summarizeError(error);
      return {
        ...base,
        action: 'reject',
        reason: `deleted in PracticeHub, but ${error instanceof DataverseError ? 'Dataverse refused' : 'the row was not removed'}: ${e.message}`,
        error: e,
      };
    }
  }

  /**
   * The row as it is before the change: its state for a deactivation; for a delete, every column the
   * mapping writes, lookups with their target tables (`preImages` with allMapped), so a rollback can
   * recreate it. Undefined when the row is gone.
   */
  private async image(
    m: MappingDefinition,
    entry: CrosswalkEntry,
    stateOnly: boolean,
  ): Promise<Record<string, unknown> | undefined> {
    const table = this.tableOf(entry);
    const withState = (await this.closedState(entry.table)) !== undefined;
    if (!stateOnly) {
      const images = await preImages(
        { client: this.client },
        [{ mapping: m, table, targetId: entry.targetId, body: {} }],
        {
          allMapped: true,
        },
      );
      const image = images.get(entry.targetId.toLowerCase());
      if (!image || !withState || 'statecode' in image) return image;
      const state = await this.image(m, entry, true);
      return state ? { ...image, ...state } : image;
    }
    const select = [table.primaryId, ...(withState ? ['statecode', 'statuscode'] : [])];
    for await (const row of this.client.query<Record<string, unknown>>(table.entitySet, {
      select,
      filter: `${table.primaryId} eq ${entry.targetId}`,
    })) {
      const image: Record<string, unknown> = {};
      for (const column of select)
        if (column !== table.primaryId && column in row) image[column] = row[column];
      return image;
    }
    return undefined;
  }

  /** The rows of mapped tables that refer to a row through a lookup, as `<n> <table> rows` (one count each). */
  private async dependants(entry: CrosswalkEntry): Promise<string[]> {
    const out: string[] = [];
    const asked = new Set<string>();
    for (const m of Object.values(this.module.MAPPINGS)) {
      const table = this.module.TABLES[m.target]!;
      for (const lookup of m.lookups) {
        const pair = `${table.name}.${lookup.column}`;
        if (asked.has(pair) || !lookup.candidates.some((c) => c.table === entry.table)) continue;
        asked.add(pair);
        const n = await this.client.count(table.entitySet, `_${lookup.column}_value eq ${entry.targetId}`);
        if (n > 0) out.push(`${n} ${table.name} row${n === 1 ? '' : 's'} (${lookup.column})`);
      }
    }
    return out;
  }

  /**
   * The state a deleted record's row is put in, or undefined when the table has none (asked of the
   * organisation's metadata, once per table while the read succeeds): Canceled where the table has it (activities: 0 Open,
   * 1 Completed, 2 Canceled, 3 Scheduled; reference §1.3), else Inactive.
   */
  private closedState(logicalName: string): Promise<number | undefined> {
    let known = this.states.get(logicalName);
    if (!known) {
      known = this.client.attributes(logicalName, true).then((attributes) => {
        const state = attributes.find((a) => a.logicalName === 'statecode');
        if (!state) return undefined;
        const options = state.options ?? [];
        return (
          options.find((o) => /cancel/i.test(o.label))?.value ??
          options.find((o) => /inactive/i.test(o.label))?.value ??
          1
        );
      });
      // A failed read is not remembered: the next deletion on the table asks again.
      known.catch(() => this.states.delete(logicalName));
      this.states.set(logicalName, known);
    }
    return known;
  }
}
