import type { BatchRequest } from '../dataverse/index.ts';
import type { OperationError, OperationInput, OperationRecord } from '../journal/index.ts';
import type { RollbackPhase } from './events.ts';

/**
 * A write of the target run that a rollback undoes: an operation it journaled, or one it sent whose
 * answer was never journaled, read from the image it staged before sending (`id` null; see
 * `stagedWrites`). Either names the row, what was done to it and what it held before.
 */
export type Undone = Pick<
  OperationRecord,
  'runId' | 'mapping' | 'sourceId' | 'key' | 'table' | 'action' | 'targetId' | 'error' | 'preImage'
> & {
  /** The journaled operation, or null for a write whose answer was never journaled. */
  readonly id: number | null;
};

/** What undoing one journaled operation takes. */
export type UndoItem =
  | {
      readonly kind: 'requests';
      readonly phase: RollbackPhase;
      readonly op: Undone;
      /** One request, or several that must succeed together (sent as one change set). */
      readonly requests: readonly BatchRequest[];
    }
  /** Nothing to write (an empty pre-image): journaled as done. */
  | { readonly kind: 'nothing'; readonly phase: RollbackPhase; readonly op: Undone }
  /**
   * Cannot be undone (no pre-image, an unknown table) or left alone (changed in Dataverse since the
   * run wrote it): journaled as failed with the reason, and tried again by the next attempt.
   */
  | {
      readonly kind: 'problem';
      readonly phase: RollbackPhase;
      readonly op: Undone;
      readonly problem: string;
      /** The error code journaled; `not_undoable` when absent. */
      readonly code?: string;
    }
  /** An update of a row the run created: the row is deleted, only its crosswalk row goes. */
  | { readonly kind: 'dropped'; readonly phase: RollbackPhase; readonly op: Undone };

/** How undoing an operation ended. */
export type UndoResult =
  | { readonly outcome: 'deleted' | 'restored'; readonly gone?: boolean }
  | { readonly outcome: 'gone' }
  | { readonly outcome: 'failed'; readonly error: OperationError }
  | { readonly outcome: 'dropped' };

/**
 * The journal entry of an undone operation: `delete` or `restore` naming the row, `skip` for a row
 * that no longer exists, and the intended action with Dataverse's error when it failed. `undoes` holds
 * the id of the operation undone (a resumed rollback skips what is already done, the summary counts
 * from it); a write whose answer was never journaled has no operation, and its staged image, consumed
 * with the entry, is what a resumed rollback would undo again. The reason says the same for a human
 * reading the audit log, and is never parsed.
 */
export function undoOperation(item: UndoItem, result: UndoResult): OperationInput | undefined {
  if (result.outcome === 'dropped') return undefined;
  const { op } = item;
  const undone =
    op.id === null
      ? `undoes a ${op.action} run ${op.runId} sent to Dataverse whose answer was never journaled`
      : `undoes operation ${op.id} (${op.action} in run ${op.runId})`;
  const base = {
    mapping: op.mapping,
    sourceId: op.sourceId,
    key: op.key,
    table: op.table,
    targetId: op.targetId,
    undoes: op.id,
  };
  const action = item.phase === 'delete' ? 'delete' : 'restore';
  if (result.outcome === 'gone')
    return { ...base, action: 'skip', reason: `${undone}; the row no longer exists, nothing to restore` };
  if (result.outcome === 'failed')
    return {
      ...base,
      action,
      reason: `${undone}; ${action} failed: ${result.error.message}`,
      error: result.error,
    };
  return { ...base, action, reason: result.gone ? `${undone}; the row was already gone` : undone };
}
