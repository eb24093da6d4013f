import type { Journal } from '../journal/index.ts';

/**
 * Per row key of a mapping, the newest run that closed the row (deactivated or deleted it, without an
 * error) among the runs from `since` on that still stand (a rolled-back run's closes were undone). A row
 * a run closed after it last wrote it is the deletion policy's doing, not a row left behind.
 */
export function closedSince(journal: Journal, mapping: string, since: number): Map<string, number> {
  const closed = new Map<string, number>();
  for (const run of journal.runs()) {
    if (run.id < since || run.status === 'rolled_back' || run.kind === 'rollback') continue;
    for (const op of journal.operations(run.id, { mapping, action: ['deactivate', 'delete'] }))
      if (op.key !== null && op.error === null) closed.set(op.key, run.id);
  }
  return closed;
}
