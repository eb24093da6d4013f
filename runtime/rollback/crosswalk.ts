import type { CrosswalkChange, Journal } from '../journal/index.ts';
import type { UndoItem, UndoResult } from './undo.ts';

/**
 * What an undone operation changes in the crosswalk, read inside the journal transaction that records
 * it. A deleted row (or one gone, or one the run created and only updated) loses its crosswalk row, so a
 * later run creates it again. A restored row keeps its row with no payload hash: the next run writes it
 * again instead of taking the restored values for its own; a crosswalk row the target run itself added
 * (an update mapping's first write) goes. A recreated row gets its row back. Crosswalk rows that point
 * elsewhere by now are left alone.
 */
export function crosswalkChange(
  journal: Journal,
  targetRunId: number,
  item: UndoItem,
  result: UndoResult,
): CrosswalkChange | undefined {
  const { op } = item;
  if (result.outcome === 'failed' || op.key === null || op.targetId === null || op.table === null)
    return undefined;
  const entry = journal.crosswalk.get(op.mapping, op.key);
  const remove = { mapping: op.mapping, key: op.key, remove: true } as const;
  if (item.phase === 'recreate')
    return {
      mapping: op.mapping,
      key: op.key,
      sourceId: op.sourceId,
      table: op.table,
      targetId: op.targetId,
      payloadHash: null,
      sourceUpdatedAt: null,
    };
  if (!entry || entry.targetId.toLowerCase() !== op.targetId.toLowerCase()) return undefined;
  if (item.phase === 'delete' || result.outcome === 'gone' || result.outcome === 'dropped') return remove;
  // A reactivated row was not rewritten: its crosswalk row still describes it.
  if (op.action === 'deactivate') return undefined;
  if (entry.createdBy === targetRunId) return remove;
  return {
    mapping: entry.mapping,
    key: entry.key,
    sourceId: entry.sourceId,
    table: entry.table,
    targetId: entry.targetId,
    payloadHash: null,
    sourceUpdatedAt: entry.sourceUpdatedAt,
  };
}
