import { type DataverseClient, MAX_BATCH_PARTS } from '../dataverse/index.ts';
import type { Journal, RunRecord } from '../journal/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { type KeptRow, lastWrites } from './changed.ts';
import type { RollbackEventSink, RollbackPhase } from './events.ts';
import { checkTarget, rollbackOf } from './guard.ts';
import { type PhaseContext, runPhase } from './phases.ts';
import { stagedCreates, stagedWrites } from './staged.ts';
import { asRunSummary, failedRows, type RollbackSummary, summarize, undoneBy } from './summary.ts';
import { TableResolver } from './tables.ts';

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
   * Delete or restore rows changed in Dataverse after the run wrote them, discarding those changes;
   * by default such rows are left as they are and listed (`RollbackResult.kept`).
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
  /** Rows left as they are because they changed in Dataverse after the run wrote them. */
  readonly kept: readonly KeptRow[];
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
 * write) is neither deleted nor restored unless `discardChanges`: it is listed in `kept`, with the rows it points to that
 * the run created (a delete would take it along), and counts as failed, so the rollback ends `failed` and a later attempt checks it again. Refusals (see `checkTarget`) throw a RollbackError before anything is written.
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
    return { target, rollback: previous, resumed: false, nothingToDo: true, summary, failed: 0, kept: [] };
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
    const kept = [
      ...(await runPhase(ctx, 'restore', chain(staged('restore'), journal.updatedBy(target.id)))),
      ...(await runPhase(ctx, 'delete', chain(staged('delete'), journal.createdBy(target.id)))),
    ];
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
    };
  } catch (error) {
    journal.finishRun(run.id, 'failed');
    throw error;
  }
}
