import { describe, expect, it } from 'vitest';
import type { Journal, OperationInput, OperationRecord } from '../../runtime/journal/index.ts';
import { summarize, undoneBy } from '../../runtime/rollback/summary.ts';
import { type UndoResult, undoOperation } from '../../runtime/rollback/undo.ts';
import { created, guid, openTemp } from '../runtime/journal/helpers.ts';

/** Run 1: three contacts created and one insurance update; run 2: a rollback of it, still running. */
function journalWithRollback(): { journal: Journal; target: OperationRecord[]; rollbackId: number } {
  const { journal } = openTemp();
  const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
  journal.recordBatch(run.id, [
    created('contact', 1),
    created('contact', 2),
    created('contact', 3),
    {
      mapping: 'insurance',
      sourceId: '1',
      key: 'ph-1',
      table: 'contact',
      action: 'update',
      targetId: guid(1),
      preImage: { fs_insurancecarrier: null },
    },
  ]);
  journal.finishRun(run.id, 'completed');
  const rollback = journal.startRun({ kind: 'rollback', specHash: 's', codeHash: 'c', parentRun: run.id });
  return { journal, target: [...journal.operations(run.id)], rollbackId: rollback.id };
}

const failure: UndoResult = { outcome: 'failed', error: { code: '0x1', message: 'refused' } };

/** The journal entry of undoing `op`, its reason reworded so that nothing can be read back from it. */
function entry(op: OperationRecord, result: UndoResult, reason: string): OperationInput {
  const phase = op.action === 'create' ? 'delete' : 'restore';
  return { ...undoOperation({ kind: 'nothing', phase, op }, result)!, reason };
}

describe('the link from an undo to the operation it undid', () => {
  it('is journaled in `undoes`; the reason still names the operation for a human', () => {
    const { journal, target, rollbackId } = journalWithRollback();
    const op = target[0]!;
    journal.recordBatch(rollbackId, [undoOperation({ kind: 'nothing', phase: 'delete', op }, failure)!]);
    const [undo] = [...journal.operations(rollbackId)];
    expect(undo).toMatchObject({ undoes: op.id, action: 'delete', error: { code: '0x1' } });
    expect(undo!.reason).toBe(`undoes operation ${op.id} (create in run 1); delete failed: refused`);
  });

  it('counts over attempts from `undoes`, whatever the reasons say', () => {
    const { journal, target, rollbackId } = journalWithRollback();
    const [c1, c2, c3, update] = target;
    // Attempt 1: c1 deleted, c2 and the update refused, c3 already gone. Attempt 2: c2 deleted.
    journal.recordBatch(rollbackId, [
      entry(update!, failure, 'insurance put back: failed'),
      entry(c1!, { outcome: 'deleted' }, 'gone now'),
      entry(c2!, failure, 'could not delete'),
      entry(c3!, { outcome: 'deleted', gone: true }, 'was gone'),
    ]);
    journal.recordBatch(rollbackId, [entry(c2!, { outcome: 'deleted' }, 'gone now')]);
    expect([...journal.operations(rollbackId)].map((o) => o.undoes)).toEqual([
      update!.id,
      c1!.id,
      c2!.id,
      c3!.id,
      c2!.id,
    ]);
    expect(summarize(journal, rollbackId)).toEqual({
      contact: { deleted: 3, restored: 0, skipped: 0, failed: 0 },
      insurance: { deleted: 0, restored: 0, skipped: 0, failed: 1 },
    });
    expect([...undoneBy(journal, rollbackId)].sort((a, b) => a - b)).toEqual([c1!.id, c2!.id, c3!.id]);
    // The journal's accounting of the rollback says the same before it ends, and so does the summary
    // an interruption leaves (`flitstack runs`, the Ctrl-C line).
    const accounting = {
      contact: { resource: '', extracted: 3, loaded: 3, rejected: 0, skipped: 0 },
      insurance: { resource: '', extracted: 1, loaded: 0, rejected: 1, skipped: 0 },
    };
    expect(journal.accounting(rollbackId)).toEqual(accounting);
    expect(journal.finishRun(rollbackId, 'interrupted').summary).toEqual(accounting);
  });
});
