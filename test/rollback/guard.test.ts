import { describe, expect, it } from 'vitest';
import type { Journal } from '../../runtime/journal/index.ts';
import { checkTarget, RollbackError } from '../../runtime/rollback/index.ts';
import { created, openTemp, steppingClock } from '../runtime/journal/helpers.ts';

const HASHES = { specHash: 's', codeHash: 'c' };

function refusal(journal: Journal, runId: number, force = false): RollbackError {
  try {
    checkTarget(journal, runId, force);
  } catch (error) {
    if (error instanceof RollbackError) return error;
    throw error;
  }
  throw new Error(`run ${runId} was not refused`);
}

/** A finished run that journaled `ops`. */
function finishedRun(
  journal: Journal,
  kind: 'run' | 'delta' | 'sample' | 'schema',
  ops: Parameters<Journal['recordBatch']>[1],
  parentRun?: number,
): number {
  const run = journal.startRun({ kind, ...HASHES, ...(parentRun ? { parentRun } : {}) });
  journal.recordBatch(run.id, ops);
  journal.finishRun(run.id, 'completed');
  return run.id;
}

/** A completed rollback of `target` (which marks it rolled back). */
function rolledBack(journal: Journal, target: number): void {
  const run = journal.startRun({ kind: 'rollback', ...HASHES, parentRun: target });
  journal.finishRun(run.id, 'completed');
}

describe('which runs may be rolled back', () => {
  it('refuses a run that is not there, a rollback, a schema setup, a running run', () => {
    const { journal } = openTemp();
    expect(refusal(journal, 9).code).toBe('run_not_found');
    const first = finishedRun(journal, 'run', [created('patient', 1)]);
    const schema = finishedRun(journal, 'schema', []);
    expect(refusal(journal, schema)).toMatchObject({
      code: 'not_undoable',
      message: `run ${schema} is a schema setup, which is not rolled back`,
    });
    rolledBack(journal, first);
    expect(refusal(journal, 3)).toMatchObject({
      code: 'not_undoable',
      message: 'run 3 is a rollback (of run 1), which is not rolled back',
    });
    const running = journal.startRun({ kind: 'run', ...HASHES });
    expect(refusal(journal, running.id).code).toBe('run_running');
    expect(refusal(journal, running.id).message).toContain(`process ${process.pid}`);
  });

  it('refuses an interrupted run unless forced: its last flush may be missing from the journal', () => {
    const { journal } = openTemp();
    const run = journal.startRun({ kind: 'run', ...HASHES });
    journal.finishRun(run.id, 'interrupted');
    expect(refusal(journal, run.id)).toMatchObject({ code: 'run_interrupted' });
    expect(refusal(journal, run.id).hint).toContain('--force');
    expect(checkTarget(journal, run.id, true).id).toBe(run.id);
  });

  it('says to resume an interrupted run with the command of its kind', () => {
    const { journal } = openTemp();
    const hint = (kind: 'run' | 'delta' | 'sample') => {
      const run = journal.startRun({ kind, ...HASHES });
      journal.finishRun(run.id, 'interrupted');
      const error = refusal(journal, run.id);
      expect(error.code).toBe('run_interrupted');
      return error.hint;
    };
    expect(hint('run')).toBe(
      'resume it first (`flitstack run`) so that every row it wrote is journaled, then roll it back; or pass --force to roll back what the journal holds, with the writes whose answer never came',
    );
    // `flitstack run` would start a new full run instead of finishing the delta.
    expect(hint('delta')).toBe(
      'resume it first (`flitstack delta`) so that every row it wrote is journaled, then roll it back; or pass --force to roll back what the journal holds, with the writes whose answer never came',
    );
    expect(hint('sample')).toBe(
      'a sample is not resumed (`flitstack sample` starts a new one): pass --force to roll back what the journal holds, with the writes whose answer never came',
    );
  });

  it('orders runs by when they last wrote: a delta resumed after a later run finished is built on it', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const first = finishedRun(journal, 'run', [created('patient', 1)]);
    const delta = journal.startRun({ kind: 'delta', ...HASHES, parentRun: first });
    journal.recordBatch(delta.id, [created('patient', 2)]);
    journal.finishRun(delta.id, 'interrupted');
    // A run started while the delta was interrupted, then the delta resumed and finished after it.
    const run = finishedRun(journal, 'run', [{ ...created('patient', 1), action: 'unchanged' }]);
    expect(run).toBeGreaterThan(delta.id);
    journal.resume(delta.id);
    journal.recordBatch(delta.id, [created('patient', 3)]);
    journal.finishRun(delta.id, 'completed');

    expect(refusal(journal, run)).toMatchObject({
      code: 'built_upon',
      message: `later runs built on run ${run}: run ${delta.id} (delta, completed)`,
    });
    expect(checkTarget(journal, delta.id, false).id).toBe(delta.id);
    expect(refusal(journal, first).message).toBe(
      `later runs built on run ${first}: run ${delta.id} (delta, completed), run ${run} (run, completed)`,
    );
    rolledBack(journal, delta.id);
    expect(checkTarget(journal, run, false).id).toBe(run);
  });

  it('refuses a run later runs built on, naming them newest first, until they are rolled back', () => {
    const { journal } = openTemp();
    const first = finishedRun(journal, 'run', [created('patient', 1)]);
    // A run that found every row unchanged built on them too: its watermarks would hide them from a delta.
    const unchanged = finishedRun(journal, 'run', [{ ...created('patient', 1), action: 'unchanged' }]);
    const delta = finishedRun(journal, 'delta', [], first);
    const later = finishedRun(journal, 'run', [created('patient', 2)]);
    const sample = finishedRun(journal, 'sample', [{ ...created('patient', 3), action: 'unchanged' }]);
    const error = refusal(journal, first);
    expect(error.code).toBe('built_upon');
    expect(error.message).toBe(
      `later runs built on run 1: run ${later} (run, completed), run ${delta} (delta, completed), run ${unchanged} (run, completed)`,
    );
    expect(error.hint).toBe(
      `roll them back first, newest first: \`flitstack rollback --run ${later}\`, then \`flitstack rollback --run ${delta}\`, then \`flitstack rollback --run ${unchanged}\``,
    );
    expect(sample).toBeGreaterThan(later);
    rolledBack(journal, later);
    rolledBack(journal, delta);
    expect(refusal(journal, first).message).toBe(
      `later runs built on run 1: run ${unchanged} (run, completed)`,
    );
    rolledBack(journal, unchanged);
    expect(checkTarget(journal, first, false).status).toBe('completed');
  });

  it('lets an already rolled back run through: the rollback then has nothing to do', () => {
    const { journal } = openTemp();
    const first = finishedRun(journal, 'run', [created('patient', 1)]);
    rolledBack(journal, first);
    expect(checkTarget(journal, first, false).status).toBe('rolled_back');
  });
});
