import type { Journal, RunSummary } from '../journal/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';

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
 * was undone on a later attempt counts as undone, not failed.
 */
export function summarize(journal: Journal, rollbackRunId: number): RollbackSummary {
  const counts = new Map<string, { deleted: number; restored: number; skipped: number; failed: number }>();
  const of = (mapping: string) => {
    const c = counts.get(mapping) ?? { deleted: 0, restored: 0, skipped: 0, failed: 0 };
    counts.set(mapping, c);
    return c;
  };
  const done = new Set<number>();
  const failed = new Map<number, string>();
  for (const op of journal.operations(rollbackRunId)) {
    const undone = op.undoes;
    if (undone === null) continue;
    if (op.error !== null) {
      failed.set(undone, op.mapping);
      continue;
    }
    done.add(undone);
    const c = of(op.mapping);
    if (op.action === 'delete') c.deleted++;
    else if (op.action === 'restore') c.restored++;
    else c.skipped++;
  }
  for (const [id, mapping] of failed) if (!done.has(id)) of(mapping).failed++;
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
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
