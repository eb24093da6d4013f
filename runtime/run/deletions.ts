import type { DataverseClient } from '../dataverse/index.ts';
import { DataverseError } from '../dataverse/index.ts';
import type { CrosswalkChange, CrosswalkEntry, Journal, OperationInput } from '../journal/index.ts';
import type { GeneratedModule, MappingDefinition } from '../mapping/index.ts';

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
  private readonly states = new Map<string, Promise<boolean>>();

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

  /** Deactivates the row (or deletes it, by policy or when its table has no state), with its pre-image. */
  private async remove(d: Deletion, entry: CrosswalkEntry): Promise<OperationInput> {
    const table = this.module.TABLES[entry.table]!;
    const base = {
      mapping: entry.mapping,
      sourceId: d.sourceId,
      key: entry.key,
      table: entry.table,
      targetId: entry.targetId,
      payloadHash: entry.payloadHash,
    };
    const deactivate = this.policy === 'deactivate' && (await this.hasState(entry.table));
    try {
      const image = await this.image(d.mapping, entry, deactivate);
      if (image === undefined)
        return {
          ...base,
          action: 'skip',
          reason: `deleted in PracticeHub at ${d.deletedAt}; the row is already gone from Dataverse`,
        };
      if (deactivate) {
        if (image.statecode === 1)
          return {
            ...base,
            action: 'skip',
            reason: `deleted in PracticeHub at ${d.deletedAt}; the row is already inactive`,
          };
        await this.client.setState(table.entitySet, entry.targetId, 1);
        return {
          ...base,
          action: 'deactivate',
          preImage: image,
          reason: `deleted in PracticeHub at ${d.deletedAt}`,
        };
      }
      await this.client.delete(table.entitySet, entry.targetId);
      return {
        ...base,
        action: 'delete',
        preImage: image,
        reason: `deleted in PracticeHub at ${d.deletedAt}`,
      };
    } catch (error) {
      const e =
        error instanceof DataverseError
          ? { code: error.code || String(error.status), message: error.serverMessage || error.message }
          : { code: 'error', message: error instanceof Error ? error.message : String(error) };
      return {
        ...base,
        action: 'reject',
        reason: `deleted in PracticeHub, but Dataverse refused: ${e.message}`,
        error: e,
      };
    }
  }

  /**
   * The row as it is before the change, in the form pre-images take (plain columns, lookups as
   * `_x_value`): its state for a deactivation, every column the mapping writes for a delete.
   */
  private async image(
    m: MappingDefinition,
    entry: CrosswalkEntry,
    stateOnly: boolean,
  ): Promise<Record<string, unknown> | undefined> {
    const table = this.module.TABLES[entry.table]!;
    const withState = await this.hasState(entry.table);
    const columns = stateOnly
      ? []
      : m.columns
          .filter((c) => table.columns[c] !== undefined)
          .map((c) => (table.columns[c]!.targets.length > 0 ? `_${c}_value` : c));
    const owner = !stateOnly && m.owner ? ['_ownerid_value'] : [];
    const select = [
      ...new Set([table.primaryId, ...columns, ...owner, ...(withState ? ['statecode', 'statuscode'] : [])]),
    ];
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

  /** Whether the table has a statecode column (asked of the organisation's metadata, once). */
  private hasState(logicalName: string): Promise<boolean> {
    let known = this.states.get(logicalName);
    if (!known) {
      known = this.client
        .attributes(logicalName, false)
        .then((attributes) => attributes.some((a) => a.logicalName === 'statecode'));
      this.states.set(logicalName, known);
    }
    return known;
  }
}
