import { countReferring, droppedTable, notARowId, readRows, rowName } from '../compare/read.ts';
import { columnValues, rowMissing } from '../dataverse/errors.ts';
import type { BatchPartResult, BatchRequest, DataverseClient, FailureSummary } from '../dataverse/index.ts';
import {
  DataverseError,
  MAX_BATCH_PARTS,
  recordPath,
  summarizeError,
  summarizePart,
} from '../dataverse/index.ts';
import { isGuid } from '../dataverse/odata.ts';
import { refusedRowValues } from '../dataverse/refused.ts';
import {
  ALREADY_CLOSED,
  ALREADY_GONE,
  type CrosswalkChange,
  type CrosswalkEntry,
  DELETED_IN_SOURCE,
  type Journal,
  type OperationInput,
  type StagedImage,
} from '../journal/index.ts';
import {
  type GeneratedModule,
  type MappingDefinition,
  ownsRows,
  type TableDefinition,
} from '../mapping/index.ts';
import { chunks, groupBy } from '../shared/group.ts';
import { preImages } from './write.ts';

/** What a run or delta does with a record PracticeHub reports deleted (`deleted_at` set). */
export type DeletePolicy = GeneratedModule['MIGRATION']['deletedRecords'];

/**
 * Rows that go, for one source record of one mapping: every row of a record seen deleted, or the rows
 * a record still there no longer produces (`dropped`: the connection of a clinic assignment taken off
 * a patient, the parts beyond a shortened note's last).
 */
export type Deletion = {
  readonly mapping: MappingDefinition;
  readonly sourceId: string;
  readonly page: number;
} & (
  | { readonly kind: 'deleted'; readonly deletedAt: string }
  | { readonly kind: 'dropped'; readonly entries: readonly CrosswalkEntry[] }
);

/** The row keys a record produced in this run, for a mapping whose records produce varying rows. */
export interface Produced {
  readonly mapping: MappingDefinition;
  readonly sourceId: string;
  readonly keys: readonly string[];
  readonly page: number;
}

/** Why a deletion's rows go, as operations say it; `dated` adds when PracticeHub deleted the record. */
function cause(d: Deletion, dated = true): string {
  if (d.kind === 'dropped') return `${d.mapping.name} record ${d.sourceId} no longer produces this row`;
  return dated ? `${DELETED_IN_SOURCE} at ${d.deletedAt}` : DELETED_IN_SOURCE;
}

/** What deleting produced: operations and crosswalk changes, each with its page. */
export interface Deleted {
  readonly ops: { readonly page: number; readonly op: OperationInput }[];
  readonly crosswalk: { readonly page: number; readonly change: CrosswalkChange }[];
}

/** A row a deleted record produced, as the crosswalk knows it, and what becomes of it. */
interface Target {
  readonly d: Deletion;
  readonly entry: CrosswalkEntry;
  /** Found gone from Dataverse before any request: nothing to undo. */
  gone?: boolean;
  /** How it ended: decided before any write (a skip, a refusal), or from its request's answer. */
  op?: OperationInput;
  /** The request that deactivates or deletes the row, and the operation it journals when it succeeds. */
  send?: { readonly request: BatchRequest; readonly op: OperationInput };
}

/** A deleted record: skipped as a whole, or its rows. */
interface Slot {
  readonly d: Deletion;
  readonly skip?: OperationInput;
  readonly targets: Target[];
}

const STATE_COLUMNS = ['statecode', 'statuscode'];

/**
 * Deletes and deactivations of one run. The rows of a flush's deleted records are handled together:
 * their states, the rows referring to them and their pre-images are read with one query per 50 rows
 * and table, and the deactivations and deletes go out as `$batch` requests of up to `batchSize` parts
 * that continue past a refused row, so the requests grow with batches of rows, not with rows.
 * Remembers which tables have a state (asked once each).
 */
export class Deletions {
  private readonly states = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly client: DataverseClient,
    private readonly module: GeneratedModule,
    private readonly journal: Journal,
    private readonly policy: DeletePolicy,
    private readonly batchSize: number,
    private readonly runId: number,
  ) {}

  /**
   * The rows records of this run no longer produce: crosswalk rows tied to a record whose key no
   * record produced now, read with one query per mapping. None under `deleted_records: ignore`, which
   * leaves Dataverse's rows as they are.
   */
  dropped(produced: readonly Produced[]): Deletion[] {
    if (this.policy === 'ignore') return [];
    const out: Deletion[] = [];
    for (const [name, records] of groupBy(produced, (p) => p.mapping.name)) {
      const rows = this.journal.crosswalk.bySourceIds(
        name,
        records.map((p) => p.sourceId),
      );
      // A key another record writes (in this flush, or journaled earlier in the run) is that record's now.
      const written = new Set(records.flatMap((p) => p.keys));
      for (const p of records) {
        const entries = (rows.get(p.sourceId) ?? []).filter(
          (e) => !written.has(e.key) && this.journal.claimedBy(this.runId, name, e.key) === undefined,
        );
        if (entries.length > 0)
          out.push({ mapping: p.mapping, sourceId: p.sourceId, page: p.page, kind: 'dropped', entries });
      }
    }
    return out;
  }

  /**
   * Applies the policy to the rows each deleted record produced, as the crosswalk knows them, and
   * deletes the rows a record no longer produces under deactivate and delete alike (`dropped` finds
   * none under ignore): they are parts of a record that is still there, not records, and a
   * deactivated one would stay closed were the record to produce it again. A mapping that only updates another mapping's rows leaves them: the row is not the
   * record's own. Operations come out in the order of the deletions.
   */
  async apply(deletions: readonly Deletion[]): Promise<Deleted> {
    const owned = new Set(deletions.filter((d) => this.policy !== 'ignore' && ownsRows(d.mapping)));
    const rows = new Map<string, Map<string, CrosswalkEntry[]>>();
    const deleted = [...owned].filter((d) => d.kind === 'deleted');
    for (const [name, group] of groupBy(deleted, (d) => d.mapping.name))
      rows.set(
        name,
        this.journal.crosswalk.bySourceIds(
          name,
          group.map((d) => d.sourceId),
        ),
      );
    const slots = deletions.map((d): Slot => {
      const skip = (why: string): Slot => ({
        d,
        targets: [],
        skip: {
          mapping: d.mapping.name,
          sourceId: d.sourceId,
          action: 'skip',
          reason: `${cause(d)}; ${why}`,
        },
      });
      if (this.policy === 'ignore') return skip('deleted_records is ignore');
      if (!owned.has(d)) return skip(`${d.mapping.name} updates rows it does not own, left as they are`);
      const entries = d.kind === 'dropped' ? d.entries : (rows.get(d.mapping.name)?.get(d.sourceId) ?? []);
      if (entries.length === 0) return skip('no row of it in Dataverse (never loaded, or deleted already)');
      return { d, targets: entries.map((entry) => ({ d, entry })) };
    });
    const targets = slots.flatMap((s) => s.targets);
    for (const group of groupBy(targets, (t) => t.entry.table).values()) await this.decide(group);
    const sending = targets.filter((t) => t.send);
    // Committed before the requests go: a run killed after Dataverse took them still knows, when
    // resumed, what it closed or deleted and what the rows held before (see `staged`).
    this.journal.images.stage(this.runId, sending.map(intended));
    await this.send(sending);
    const out: Deleted = { ops: [], crosswalk: [] };
    for (const { d, skip, targets } of slots) {
      if (skip) out.ops.push({ page: d.page, op: skip });
      for (const { op, entry, gone } of targets) {
        out.ops.push({ page: d.page, op: op! });
        // A dropped row found gone is forgotten too, or every later run would find it again.
        if (op!.action === 'delete' || (d.kind === 'dropped' && gone))
          out.crosswalk.push({
            page: d.page,
            change: { mapping: entry.mapping, key: entry.key, remove: true },
          });
      }
    }
    return out;
  }

  /**
   * Reads what the rows of one table need and decides, per row, a skip or the request that deactivates
   * (or deletes, by policy or when the table has no state) it, with its pre-image. A failed read refuses
   * the table's rows of this flush, each with the error.
   */
  private async decide(targets: readonly Target[]): Promise<void> {
    const first = targets[0]!.entry;
    // A table the spec no longer writes: each row is refused with its own name and what to do.
    const table = this.module.TABLES[first.table];
    if (!table) {
      for (const t of targets) t.op = refused(t, droppedTable(this.module, t.entry, advice(t.entry)));
      return;
    }
    // A crosswalk id that is not a GUID (a journal changed by hand) is refused alone, before any request.
    const rows = targets.filter((t) => {
      const problem = notARowId(table, t.entry.targetId, rowName(this.module, t.entry));
      if (problem) t.op = refused(t, problem);
      return !problem;
    });
    if (rows.length === 0) return;
    try {
      const closed = await this.closedState(first.table);
      const ids = rows.map((t) => t.entry.targetId);
      const states =
        closed === undefined ? undefined : await readRows(this.client, table, ids, STATE_COLUMNS);
      // Dataverse deletes a row's dependants with it (cascading relationships), and those deletes
      // would be journaled nowhere, so no rollback could bring them back: a row other migrated rows
      // refer to is deactivated instead, and says so. The rows are counted before any of this flush's
      // deletes, so a row whose dependants go in the same run is deactivated too.
      const deletes = (t: Target) => this.policy === 'delete' || t.d.kind === 'dropped';
      const dependants =
        states && rows.some(deletes)
          ? await this.dependants(first.table, [...states.keys()])
          : new Map<string, string[]>();
      const deleting = new Set(
        rows.filter((t) => !states || (deletes(t) && !dependants.has(t.entry.targetId.toLowerCase()))),
      );
      const images = await preImages(
        { client: this.client },
        [...deleting].map((t) => ({ mapping: t.d.mapping, table, targetId: t.entry.targetId, body: {} })),
        { allMapped: true },
      );
      // Taken only now that every read is done: a failed read refuses the rows, and a refusal
      // journaled for a row consumes its image.
      this.journal.images.take(
        this.runId,
        rows.map((t) => ({ mapping: t.entry.mapping, key: t.entry.key, targetId: t.entry.targetId })),
      );
      for (const t of rows) {
        const id = t.entry.targetId.toLowerCase();
        const state = states && stateOf(states.get(id));
        const deleted = cause(t.d);
        const base = rowOf(t);
        const image = this.journal.images.get(this.runId, t.entry.mapping, t.entry.key);
        const earlier = image?.targetId === id ? image : undefined;
        if (earlier && (earlier.action === 'delete' || (earlier.action === 'deactivate' && states)))
          staged(t, earlier, table.entitySet, closed, states ? state : images.get(id));
        else if (states && !state) {
          t.op = gone(t);
        } else if (!deleting.has(t)) {
          const refer = dependants.get(id) ?? [];
          if (state!.statecode === closed)
            t.op = {
              ...base,
              action: 'skip',
              reason: `${deleted}; ${ALREADY_CLOSED} (statecode ${closed})`,
            };
          else
            t.send = {
              request: {
                method: 'PATCH',
                path: recordPath(table.entitySet, t.entry.targetId),
                body: { statecode: closed },
                headers: { 'If-Match': '*' },
              },
              op: {
                ...base,
                action: 'deactivate',
                preImage: builtOn(earlier, state!),
                reason:
                  refer.length > 0
                    ? `${deleted}; deactivated, not deleted: ${refer.join(', ')} loaded by the migration refer to it and Dataverse would delete them with it`
                    : deleted,
              },
            };
        } else {
          const current = images.get(id);
          if (!current) t.op = gone(t);
          else
            t.send = {
              request: { method: 'DELETE', path: recordPath(table.entitySet, t.entry.targetId) },
              op: {
                ...base,
                action: 'delete',
                preImage: builtOn(earlier, { ...current, ...state }),
                reason: deleted,
              },
            };
        }
      }
    } catch (error) {
      for (const t of rows) t.op = refused(t, error);
    }
  }

  /**
   * Sends the decided requests as `$batch`es that go on past a refused row; a row gone by then is a
   * skip. A `$batch` Dataverse answered with a client error ran none of its parts: its rows are refused.
   * One whose answer never came (no response, or a server error after the client's retries) may have
   * run: that is thrown, failing the run with its staged images kept, and the resumed run finds out
   * from the rows what happened (see `staged`) instead of journaling a deleted row as refused.
   */
  private async send(targets: readonly Target[]): Promise<void> {
    for (const part of chunks(targets, Math.min(this.batchSize, MAX_BATCH_PARTS))) {
      let results: BatchPartResult[];
      try {
        results = await this.client.batch(
          part.map((t) => t.send!.request),
          { continueOnError: true },
        );
      } catch (error) {
        if (!(error instanceof DataverseError) || error.status === 0 || error.status >= 500) throw error;
        for (const t of part) t.op = refused(t, error);
        continue;
      }
      const refusals: { t: Target; result: BatchPartResult }[] = [];
      part.forEach((t, i) => {
        const result = results[i];
        const { op } = t.send!;
        if (result?.executed && !result.error && result.status < 400) t.op = op;
        // Gone between the read and the write (404 naming the row): nothing changed, nothing to restore.
        else if (result && rowMissing(result, t.entry.targetId)) t.op = gone(t);
        else if (result?.error) refusals.push({ t, result });
        else t.op = rejection(t, summarizePart(result), false);
      });
      // A refusal's message may quote any value of the row (a plug-in's, a booking note): masked with
      // the row's values as Dataverse holds them, besides the request's own.
      const values = await refusedRowValues(
        this.client,
        refusals.map(({ t }) => t.send!.request),
      );
      refusals.forEach(({ t, result }, i) => {
        const sent = columnValues(t.send!.request.body);
        t.op = rejection(t, summarizePart(result, [...sent, ...values[i]!]), true);
      });
    }
  }

  /**
   * The rows of mapped tables that refer to rows of `table` through a lookup, per row id, as
   * `<n> <table> rows (<lookup>)`: one query per lookup that can point at the table and 50 rows.
   */
  private async dependants(table: string, ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const asked = new Set<string>();
    for (const m of Object.values(this.module.MAPPINGS)) {
      const referring: TableDefinition = this.module.TABLES[m.target]!;
      for (const lookup of m.lookups) {
        const pair = `${referring.name}.${lookup.column}`;
        if (asked.has(pair) || !lookup.candidates.some((c) => c.table === table)) continue;
        asked.add(pair);
        for (const [id, n] of await countReferring(this.client, referring, lookup.column, ids)) {
          const list = out.get(id) ?? [];
          list.push(`${n} ${referring.name} row${n === 1 ? '' : 's'} (${lookup.column})`);
          out.set(id, list);
        }
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

/** The deactivation or delete a target is about to send, as the journal stages it. */
function intended(t: Target): StagedImage {
  const { op } = t.send!;
  return {
    mapping: t.entry.mapping,
    key: t.entry.key,
    targetId: t.entry.targetId,
    action: op.action === 'delete' ? 'delete' : 'deactivate',
    preImage: op.preImage ?? null,
    reason: op.reason ?? null,
    sourceId: t.d.sourceId,
    table: t.entry.table,
  };
}

/**
 * The pre-image of a deactivation or delete, built on the image of an update staged of the row (by an
 * earlier attempt, or by a failed run whose image this run took): that update may have reached the
 * row, so the values read now may be its values, not the ones to restore.
 */
function builtOn(
  earlier: StagedImage | undefined,
  read: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  return earlier?.action === 'update' && earlier.preImage ? { ...read, ...earlier.preImage } : read;
}

/**
 * Decides a target this run already staged a deactivation or delete for: an attempt that was killed
 * after Dataverse may have taken it and before the journal recorded it. The staged prior state is the
 * pre-image (the row now may hold this run's change); a row found closed (or gone, for a delete)
 * counts as this run's deactivation (or delete), and one not yet changed gets the request again.
 */
function staged(
  t: Target,
  image: StagedImage,
  entitySet: string,
  closed: number | undefined,
  current: Record<string, unknown> | undefined,
): void {
  const op: OperationInput = {
    ...rowOf(t),
    action: image.action,
    preImage: image.preImage,
    reason: image.reason ?? cause(t.d),
  };
  const path = recordPath(entitySet, t.entry.targetId);
  if (image.action === 'delete') {
    if (!current) t.op = op;
    else t.send = { request: { method: 'DELETE', path }, op };
  } else if (!current) t.op = gone(t);
  else if (current.statecode === closed) t.op = op;
  else
    t.send = {
      request: { method: 'PATCH', path, body: { statecode: closed }, headers: { 'If-Match': '*' } },
      op,
    };
}

/** The state columns of a row read back, as a deactivation's pre-image; undefined for no row. */
function stateOf(row: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!row) return undefined;
  const image: Record<string, unknown> = {};
  for (const column of STATE_COLUMNS) if (column in row) image[column] = row[column];
  return image;
}

/** What to do about a row in a table the spec no longer writes. */
const advice = (entry: CrosswalkEntry) =>
  `apply the deletion in Dynamics, or restore the mapping of ${entry.mapping} to ${entry.table}`;

/** The operation fields that name a target's row (its id only when it is one: the journal takes GUIDs). */
function rowOf(t: Target) {
  return {
    mapping: t.entry.mapping,
    sourceId: t.d.sourceId,
    key: t.entry.key,
    table: t.entry.table,
    ...(isGuid(t.entry.targetId) ? { targetId: t.entry.targetId } : {}),
    payloadHash: t.entry.payloadHash,
  };
}

/** A row already gone from Dataverse: nothing was changed, so a rollback has nothing to restore. */
function gone(t: Target): OperationInput {
  t.gone = true;
  return { ...rowOf(t), action: 'skip', reason: `${cause(t.d)}; ${ALREADY_GONE}` };
}

/** A row the run could not deactivate or delete, for a thrown error. */
function refused(t: Target, error: unknown): OperationInput {
  return rejection(t, summarizeError(error), error instanceof DataverseError);
}

/** A row the run could not deactivate or delete, with Dataverse's answer or what else went wrong. */
function rejection(t: Target, e: FailureSummary, byDataverse: boolean): OperationInput {
  return {
    ...rowOf(t),
    action: 'reject',
    reason: `${cause(t.d, false)}, but ${byDataverse ? 'Dataverse refused' : 'the row was not removed'}: ${e.message}`,
    error: e,
  };
}
