import type { BatchRequest } from '../dataverse/index.ts';
import type { OperationError, OperationInput, OperationRecord } from '../journal/index.ts';
import type { RollbackPhase } from './events.ts';

/** What undoing one journaled operation takes. */
export type UndoItem =
  | {
      readonly kind: 'requests';
      readonly phase: RollbackPhase;
      readonly op: OperationRecord;
      /** One request, or several that must succeed together (sent as one change set). */
      readonly requests: readonly BatchRequest[];
    }
  /** Nothing to write (an empty pre-image): journaled as done. */
  | { readonly kind: 'nothing'; readonly phase: RollbackPhase; readonly op: OperationRecord }
  /** Cannot be undone (no pre-image, an unknown table): journaled as failed with the reason. */
  | {
      readonly kind: 'problem';
      readonly phase: RollbackPhase;
      readonly op: OperationRecord;
      readonly problem: string;
    }
  /** An update of a row the run created: the row is deleted, only its crosswalk row goes. */
  | { readonly kind: 'dropped'; readonly phase: RollbackPhase; readonly op: OperationRecord };

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
 * from it); the reason says the same for a human reading the audit log, and is never parsed.
 */
export function undoOperation(item: UndoItem, result: UndoResult): OperationInput | undefined {
  if (result.outcome === 'dropped') return undefined;
  const { op } = item;
  const undone = `undoes operation ${op.id} (${op.action} in run ${op.runId})`;
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
