import { byText } from '../shared/order.ts';
import type { OperationRecord } from './types.ts';

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

/**
 * The work of a rollback over all its attempts, from its operations: an operation that failed once and
 * was undone on a later attempt counts as undone, not failed. A write of the target whose answer was
 * never journaled has no operation to name: its entries go by row, and a failed one counts only while
 * `imageHeld` (the target still holds the row's image: a run that wrote the row since took the image
 * over, and restores it when rolled back).
 */
export function rollbackCounts(
  operations: Iterable<OperationRecord>,
  imageHeld: (mapping: string, key: string) => boolean,
): RollbackSummary {
  const counts = new Map<string, { deleted: number; restored: number; skipped: number; failed: number }>();
  const of = (mapping: string) => {
    const c = counts.get(mapping) ?? { deleted: 0, restored: 0, skipped: 0, failed: 0 };
    counts.set(mapping, c);
    return c;
  };
  const done = new Set<number | string>();
  const failed = new Map<number | string, OperationRecord>();
  for (const op of operations) {
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
    if (op.undoes === null && !imageHeld(op.mapping, op.key!)) continue;
    of(op.mapping).failed++;
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => byText(a, b)));
}

/**
 * The counts in the journal's run accounting form, so `flitstack runs` shows rollbacks like runs:
 * rows to undo (extracted) = undone (loaded) + failed (rejected) + nothing to restore (skipped).
 * `resourceOf` names each mapping's resource.
 */
export function rollbackAccounting(
  summary: RollbackSummary,
  resourceOf: (mapping: string) => string,
): Record<
  string,
  { resource: string; extracted: number; loaded: number; rejected: number; skipped: number }
> {
  return Object.fromEntries(
    Object.entries(summary).map(([mapping, c]) => [
      mapping,
      {
        resource: resourceOf(mapping),
        extracted: c.deleted + c.restored + c.skipped + c.failed,
        loaded: c.deleted + c.restored,
        rejected: c.failed,
        skipped: c.skipped,
      },
    ]),
  );
}
