import type { Journal, OperationRecord, RunSummary } from '../journal/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { byText } from '../shared/order.ts';

/** What a rollback did to the rows of one mapping. */
export interface MappingRollback {
  /** Rows the run created that are gone now (deleted, or found already gone). */
  readonly deleted: number;
  /** Rows written back: pre-images restored, rows reactivated or recreated. */
  readonly restored: number;
  /** Rows updated by the run that no longer exist: nothing to restore. */
  readonly skipped: number;
  /** Rows Dataverse refused to delete or restore (journaled with its error). */
  readonly failed: number;
}

/** A rollback's work per mapping. */
export type RollbackSummary = Readonly<Record<string, MappingRollback>>;

/** Operations of the target run a rollback has undone (they are skipped when it resumes). */
export function undoneBy(journal: Journal, rollbackRunId: number): Set<number> {
  const done = new Set<number>();
  for (const op of journal.operations(rollbackRunId)) {
    if (op.undoes !== null && op.error === null) done.add(op.undoes);
  }
  return done;
}

/**
 * The summary of a rollback over all its attempts, from the journal: an operation that failed once and
 * was undone on a later attempt counts as undone, not failed. A write of the target whose answer was
 * never journaled has no operation to name: its entries go by row, and a failed one counts only while
 * the target still holds the row's image (a run that wrote the row since took the image over, and
 * restores it when rolled back).
 */
export function summarize(journal: Journal, rollbackRunId: number): RollbackSummary {
  const counts = new Map<string, { deleted: number; restored: number; skipped: number; failed: number }>();
  const of = (mapping: string) => {
    const c = counts.get(mapping) ?? { deleted: 0, restored: 0, skipped: 0, failed: 0 };
    counts.set(mapping, c);
    return c;
  };
  const target = journal.run(rollbackRunId)?.parentRun ?? null;
  const done = new Set<number | string>();
  const failed = new Map<number | string, OperationRecord>();
  for (const op of journal.operations(rollbackRunId)) {
    const undone = op.undoes ?? (op.key === null ? null : `${op.mapping}\u0000${op.key}`);
    if (undone === null) continue;
    if (op.error !== null) {
      failed.set(undone, op);
      continue;
    }
    done.add(undone);
    const c = of(op.mapping);
    if (op.action === 'delete') c.deleted++;
    else if (op.action === 'restore') c.restored++;
    else c.skipped++;
  }
  for (const [id, op] of failed) {
    if (done.has(id)) continue;
    if (op.undoes === null && (target === null || !journal.images.get(target, op.mapping, op.key!))) continue;
    of(op.mapping).failed++;
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => byText(a, b)));
}

/** Rows that failed, over every mapping. */
export function failedRows(summary: RollbackSummary): number {
  return Object.values(summary).reduce((n, c) => n + c.failed, 0);
}

/**
 * The summary in the journal's run accounting form, so `flitstack runs` shows rollbacks like runs:
 * rows to undo (extracted) = undone (loaded) + failed (rejected) + nothing to restore (skipped).
 */
export function asRunSummary(summary: RollbackSummary, module: GeneratedModule): RunSummary {
  return Object.fromEntries(
    Object.entries(summary).map(([mapping, c]) => [
      mapping,
      {
        resource: module.MAPPINGS[mapping]?.source ?? '',
        extracted: c.deleted + c.restored + c.skipped + c.failed,
        loaded: c.deleted + c.restored,
        rejected: c.failed,
        skipped: c.skipped,
      },
    ]),
  );
}
