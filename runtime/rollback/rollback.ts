import { type DataverseClient, MAX_BATCH_PARTS } from '../dataverse/index.ts';
import type { Journal, RunRecord } from '../journal/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { type KeptRow, lastWrites } from './changed.ts';
import type { RollbackEventSink, RollbackPhase } from './events.ts';
import { type ForeignScan, foreignReferences, type UncheckedTable } from './foreign.ts';
import { checkTarget, rollbackOf } from './guard.ts';
import { type PhaseContext, runPhase } from './phases.ts';
import { stagedCreates, stagedWrites } from './staged.ts';
import { asRunSummary, failedRows, type RollbackSummary, summarize, undoneBy } from './summary.ts';
import { TableResolver } from './tables.ts';
import type { Undone } from './undo.ts';

/** What a rollback needs: the Dataverse client, the journal, and the generated module (tables, batch size). */
export interface RollbackDeps {
  readonly dataverse: DataverseClient;
  readonly journal: Journal;
  readonly module: GeneratedModule;
  readonly onEvent?: RollbackEventSink;
}

/** Options of `rollbackRun`. */
export interface RollbackOptions {
  /** Requests per $batch; default the spec's batch size, at most 1,000 (reference §3.2). */
  readonly batchSize?: number;
  /**
   * Roll back an interrupted run without resuming it first: what the journal holds, and the writes
   * over existing rows it staged images for whose answer never came.
   */
  readonly force?: boolean;
  /**
   * Delete or restore rows changed in Dataverse after the run wrote them, discarding those changes,
   * and delete rows that records created or changed in Dataverse since the run point to (Dataverse then
   * deletes those records or empties their lookup); by default such rows are left as they are and
   * listed (`RollbackResult.kept`), and the check for such records is not made.
   */
  readonly discardChanges?: boolean;
}

/** How a rollback ended. */
export interface RollbackResult {
  /** The run rolled back, as it stands now (`rolled_back` once the rollback completed). */
  readonly target: RunRecord;
  /** The rollback run (the earlier one when there was nothing to do), if any. */
  readonly rollback: RunRecord | undefined;
  /** Whether an interrupted or failed rollback of the same run was continued. */
  readonly resumed: boolean;
  /** The run was already rolled back: nothing was written. */
  readonly nothingToDo: boolean;
  readonly summary: RollbackSummary;
  /** Rows that could not be deleted or restored, `kept` included. */
  readonly failed: number;
  /**
   * Rows left as they are because they changed in Dataverse after the run wrote them, or a row that
   * flitstack did not write points to them, or a kept row does.
   */
  readonly kept: readonly KeptRow[];
  /** Tables whose rows could not be read to find what points to the rows to delete (see `foreignReferences`). */
  readonly unchecked: readonly UncheckedTable[];
}

/** The items of each iterable in turn, read as they are needed. */
function* chain<T>(...parts: Iterable<T>[]): Generator<T, void, undefined> {
  for (const part of parts) yield* part;
}

/**
 * Lower-case ids of the rows a run created, and how many of them are still to delete: journaled
 * creates and the creates it sent whose answer was never journaled (an image settled is gone).
 */
function createdIds(
  journal: Journal,
  runId: number,
  done: ReadonlySet<number>,
): { ids: Set<string>; pending: number } {
  const staged = stagedCreates(journal, runId);
  const ids = new Set<string>(staged);
  let pending = staged.length;
  for (const op of journal.createdBy(runId)) {
    if (!op.targetId) continue;
    ids.add(op.targetId.toLowerCase());
    if (!done.has(op.id)) pending++;
  }
  return { ids, pending };
}

/**
 * Looks for rows flitstack did not write that point to the rows the delete step would delete (see
 * `foreignReferences`): the rows to delete by id and table, and every row the target run wrote, or
 * sent a write for, as its own. Reports the requests it took.
 */
async function checkReferences(
  ctx: PhaseContext,
  target: RunRecord,
  deletes: Iterable<Undone>,
  staged: (phase: RollbackPhase) => Iterable<Undone>,
): Promise<ForeignScan> {
  const toDelete = new Map<string, string>();
  for (const op of deletes)
    if (op.error === null && op.targetId && op.table && !(op.id !== null && ctx.done.has(op.id)))
      toDelete.set(op.targetId.toLowerCase(), op.table);
  const own = new Set(ctx.created);
  for (const op of chain<{ targetId: string | null }>(
    ctx.journal.operations(target.id),
    staged('restore'),
    staged('recreate'),
  ))
    if (op.targetId) own.add(op.targetId.toLowerCase());
  const count = () => {
    const r = ctx.client.stats().requests;
    return r.batch + r.data + r.bulk + r.metadata + r.token;
  };
  const before = count();
  const scan =
    toDelete.size === 0
      ? { referenced: new Map(), unchecked: [], blocked: new Map() }
      : await foreignReferences(ctx.client, ctx.tables, toDelete, own, target.startedAt);
  ctx.onEvent?.({
    type: 'references',
    found: scan.referenced.size,
    unchecked: scan.unchecked.length,
    requests: count() - before,
  });
  return scan;
}

/**
 * Rolls back a run: recreates the rows a delta deleted (in load order, parents first), restores the
 * pre-images of the rows the run updated and reactivates what it deactivated (newest first), then
 * deletes the rows it created (newest first: reverse load order, so children go before their parents
 * and no restrict or cascade rule of Dataverse bites). Restores run before deletes so that no older row
 * still points at a row about to be deleted (a cascade would take the older row with it).
 *
 * Writes the run sent whose answer was never journaled (it failed, or was interrupted and is rolled
 * back with `force`) are undone the same way, in the same steps, from the images it staged before
 * sending them (see `stagedWrites`); each image is consumed with the entry that settles it.
 *
 * The rollback is a journal run of kind `rollback` whose parent is the target; every row it touches is
 * journaled (`delete`, `restore`, `skip`, or the action with Dataverse's error), batch by batch with the
 * crosswalk changes, so a later run creates again what was removed. Killed, it resumes where the
 * journal stands (a row already gone counts as deleted); run again after it completed, it writes
 * nothing. A row changed in Dataverse after flitstack last wrote it (modifiedon later than the journaled
 * write) is neither deleted nor restored unless `discardChanges`: it is listed in `kept`, with the rows it
 * points to that the run created (a delete would take it along), and counts as failed, so the rollback
 * ends `failed` and a later attempt checks it again. So is, unless `discardChanges`, a row to delete that
 * a row flitstack did not write points to (a user's task or note on a migrated account, found before the
 * delete step by `checkReferences`), or that a table the application user cannot read may point to, and
 * the rows of the run it points to. Refusals (see `checkTarget`) throw a RollbackError before anything
 * is written.
 */
export async function rollbackRun(
  deps: RollbackDeps,
  runId: number,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const { journal, module } = deps;
  journal.markInterrupted();
  const target = checkTarget(journal, runId, options.force ?? false);
  const previous = rollbackOf(journal, target);
  if (target.status === 'rolled_back') {
    const summary = previous ? summarize(journal, previous.id) : {};
    return {
      target,
      rollback: previous,
      resumed: false,
      nothingToDo: true,
      summary,
      failed: 0,
      kept: [],
      unchecked: [],
    };
  }
  const resumed = previous?.status === 'interrupted' || previous?.status === 'failed';
  const discardChanges = options.discardChanges ?? false;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? module.MIGRATION.batchSize, MAX_BATCH_PARTS));
  const run = resumed
    ? journal.resume(previous!.id)
    : journal.startRun({
        kind: 'rollback',
        specHash: target.specHash,
        codeHash: target.codeHash,
        parentRun: target.id,
        options: { batchSize, force: options.force ?? false, discardChanges },
      });
  try {
    const done = undoneBy(journal, run.id);
    const created = createdIds(journal, target.id, done);
    const written = new Set(created.ids);
    if (!discardChanges)
      for (const op of journal.updatedBy(target.id)) if (op.targetId) written.add(op.targetId.toLowerCase());
    const ctx: PhaseContext = {
      client: deps.dataverse,
      journal,
      tables: new TableResolver(module, deps.dataverse),
      rollbackRunId: run.id,
      targetRunId: target.id,
      batchSize,
      done,
      created: created.ids,
      lastWrites: discardChanges ? new Map() : lastWrites(journal, written),
      discardChanges,
      referenced: new Map(),
      ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    };
    deps.onEvent?.({
      type: 'start',
      rollbackRunId: run.id,
      targetRunId: target.id,
      resumed,
      toDelete: created.pending,
    });
    const staged = (phase: RollbackPhase) => stagedWrites(journal, module, target.id, phase);
    await runPhase(
      ctx,
      'recreate',
      chain(journal.operations(target.id, { action: 'delete' }), staged('recreate')),
    );
    const kept = await runPhase(ctx, 'restore', chain(staged('restore'), journal.updatedBy(target.id)));
    const deletes = () => chain(staged('delete'), journal.createdBy(target.id));
    if (!discardChanges) ctx.foreign = await checkReferences(ctx, target, deletes(), staged);
    kept.push(...(await runPhase(ctx, 'delete', deletes())));
    const summary = summarize(journal, run.id);
    const failed = failedRows(summary);
    const status = failed > 0 ? 'failed' : 'completed';
    const finished = journal.finishRun(run.id, status, asRunSummary(summary, module));
    deps.onEvent?.({ type: 'done', rollbackRunId: run.id, status });
    return {
      target: journal.run(target.id)!,
      rollback: finished,
      resumed,
      nothingToDo: false,
      summary,
      failed,
      kept,
      unchecked: ctx.foreign?.unchecked ?? [],
    };
  } catch (error) {
    journal.finishRun(run.id, 'failed');
    throw error;
  }
}
