import type { Journal, RunSummary } from '../journal/index.ts';
import { type RollbackSummary, rollbackAccounting } from '../journal/rollback-counts.ts';
import type { GeneratedModule } from '../mapping/index.ts';

export type { MappingRollback, RollbackSummary } from '../journal/rollback-counts.ts';

/** Operations of the target run a rollback has undone (they are skipped when it resumes). */
export function undoneBy(journal: Journal, rollbackRunId: number): Set<number> {
  const done = new Set<number>();
  for (const op of journal.operations(rollbackRunId)) {
    if (op.undoes !== null && op.error === null) done.add(op.undoes);
  }
  return done;
}

/** The summary of a rollback over all its attempts, from the journal (see rollbackCounts). */
export function summarize(journal: Journal, rollbackRunId: number): RollbackSummary {
  return journal.rollbackCounts(rollbackRunId);
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
  return rollbackAccounting(summary, (mapping) => module.MAPPINGS[mapping]?.source ?? '');
}
