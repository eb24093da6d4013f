import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interruptedLine } from '../../cli/interrupt.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { undoOperation } from '../../runtime/rollback/undo.ts';
import { created } from '../runtime/journal/helpers.ts';
import { tempDir } from '../support/tmp.ts';

const start = { specHash: 's', codeHash: 'c' } as const;

/**
 * The line Ctrl-C prints for the kinds test/e2e/interrupt.test.ts does not stop as processes: a delta,
 * a rollback, a command stopped before its run, and a journal that cannot be opened. The runs are
 * started by this process, as the command's would be, so the line marks them interrupted.
 */
describe('interruptedLine', () => {
  it('marks a delta interrupted and says how to continue or undo it', () => {
    const path = join(tempDir(), 'journal.db');
    const journal = Journal.open(path);
    const run = journal.startRun({ ...start, kind: 'run' });
    journal.finishRun(run.id, 'completed');
    const delta = journal.startRun({ ...start, kind: 'delta', parentRun: run.id });
    journal.close();
    expect(interruptedLine('delta', path)).toBe(
      `interrupted: delta ${delta.id} is marked interrupted in ${path} after writing 0 rows (the rows of its last batch may be in Dataverse without being in the journal); run the same command again to continue it where it stopped, or \`flitstack rollback --run ${delta.id} --force\` to remove what it wrote`,
    );
    const after = Journal.open(path, { readonly: true });
    expect(after.run(delta.id)?.status).toBe('interrupted');
    after.close();
  });

  it('names the run a rollback undoes, and how to continue the rollback', () => {
    const path = join(tempDir(), 'journal.db');
    const journal = Journal.open(path);
    const run = journal.startRun({ ...start, kind: 'run' });
    journal.recordBatch(run.id, [created('contact', 1), created('contact', 2)]);
    journal.finishRun(run.id, 'completed');
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: run.id });
    const [first] = [...journal.operations(run.id)];
    journal.recordBatch(rollback.id, [
      undoOperation({ kind: 'nothing', phase: 'delete', op: first! }, { outcome: 'deleted' })!,
    ]);
    journal.close();
    // The row it deleted before the stop counts, though a rollback's summary is written when it ends.
    expect(interruptedLine('rollback', path)).toBe(
      `interrupted: rollback ${rollback.id} of run ${run.id} is marked interrupted in ${path} after writing 1 row (the rows of its last batch may be in Dataverse without being in the journal); run \`flitstack rollback --run ${run.id}\` again to continue it`,
    );
    // Marked once: the runs it marks are this process's running ones, and none is left.
    expect(interruptedLine('rollback', path)).toContain('stopped before it started a run');
  });

  it('says nothing was written when no run had started, with or without a journal', () => {
    const missing = join(tempDir(), 'none.db');
    const nothing =
      'interrupted: flitstack run stopped before it started a run; nothing was written; run it again';
    expect(interruptedLine('run', missing)).toBe(nothing);
    const path = join(tempDir(), 'journal.db');
    Journal.open(path).close();
    expect(interruptedLine('run', path)).toBe(nothing);
  });

  it('says so when the journal cannot be opened, and what the next command does', () => {
    const path = tempDir(); // a directory: not a journal
    const line = interruptedLine('delta', path);
    expect(line).toMatch(
      new RegExp(
        `^interrupted: flitstack delta stopped; the journal ${path} could not be updated \\(.+\\): the next command marks its run interrupted, and \`flitstack runs\` lists it$`,
      ),
    );
  });
});
