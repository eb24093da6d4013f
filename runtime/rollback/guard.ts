import type { Action, Journal, RunRecord } from '../journal/index.ts';
import { RollbackError } from './errors.ts';

/** Actions that changed a Dataverse row. */
const WRITES: readonly Action[] = ['create', 'update', 'deactivate', 'delete', 'restore', 'bind'];

/** Whether a run journaled at least one write that Dataverse accepted. */
function wrote(journal: Journal, runId: number): boolean {
  for (const op of journal.operations(runId, { action: WRITES })) if (op.error === null) return true;
  return false;
}

/**
 * Later runs that built on `target` and are not rolled back: every later run or delta (even one that
 * wrote nothing found the target's rows unchanged, and its watermarks tell the next delta where to read
 * from), and a later sample that wrote rows (it may have updated rows the target created, or linked new
 * rows to them). Newest first, the order they must be rolled back in.
 */
export function builtOn(journal: Journal, target: RunRecord): RunRecord[] {
  return journal
    .runs()
    .filter(
      (r) =>
        r.id > target.id &&
        r.kind !== 'rollback' &&
        r.kind !== 'schema' &&
        r.status !== 'rolled_back' &&
        (r.kind === 'run' || r.kind === 'delta' || wrote(journal, r.id)),
    )
    .reverse();
}

/** The newest rollback of `target`, if any. */
export function rollbackOf(journal: Journal, target: RunRecord): RunRecord | undefined {
  return journal
    .runs()
    .filter((r) => r.kind === 'rollback' && r.parentRun === target.id)
    .at(-1);
}

/**
 * Checks that a run may be rolled back; throws a RollbackError saying why not. A run that is still
 * running, a rollback or a schema setup cannot be; nor can a run later runs built on, until those are
 * rolled back. An interrupted run wrote the rows of its last flush before journaling them, so the
 * journal does not hold them: it is refused unless `force`, with the advice to resume it first.
 */
export function checkTarget(journal: Journal, runId: number, force: boolean): RunRecord {
  const target = journal.run(runId);
  if (!target)
    throw new RollbackError(
      'run_not_found',
      `run ${runId} is not in the journal ${journal.path}`,
      'list the runs with `flitstack runs`',
    );
  if (target.kind === 'rollback' || target.kind === 'schema')
    throw new RollbackError(
      'not_undoable',
      `run ${runId} is a ${target.kind === 'rollback' ? 'rollback' : 'schema setup'}, which is not rolled back`,
      target.kind === 'rollback'
        ? `to load the rows again, start a new run (\`flitstack run\`)`
        : 'schema changes are removed in the Dynamics solution, not by flitstack',
    );
  if (target.status === 'running')
    throw new RollbackError(
      'run_running',
      `run ${runId} is still running (process ${target.owner.pid} on ${target.owner.host})`,
      'wait for it to finish, or stop it, then roll it back',
    );
  if (target.status === 'interrupted' && !force)
    throw new RollbackError(
      'run_interrupted',
      `run ${runId} was interrupted: the rows of its last flush may be in Dataverse without being in the journal`,
      'resume it first (`flitstack run`) so that every row it wrote is journaled, then roll it back; or pass --force to roll back what the journal holds',
    );
  if (target.status === 'rolled_back') return target;
  const later = builtOn(journal, target);
  if (later.length > 0) {
    const names = later.map((r) => `run ${r.id} (${r.kind}, ${r.status})`).join(', ');
    throw new RollbackError(
      'built_upon',
      `later runs built on run ${runId}: ${names}`,
      `roll them back first, newest first: ${later.map((r) => `\`flitstack rollback --run ${r.id}\``).join(', then ')}`,
    );
  }
  return target;
}
