import { assertNever } from '../../compiler/assert.ts';
import { type Journal, type RunRecord, WRITE_ACTIONS } from '../journal/index.ts';
import { RollbackError } from './errors.ts';

/** Whether a run journaled at least one write that Dataverse accepted. */
function wrote(journal: Journal, runId: number): boolean {
  for (const op of journal.operations(runId, { action: [...WRITE_ACTIONS] }))
    if (op.error === null) return true;
  return false;
}

/**
 * When a run last wrote: its end, or its last heartbeat while it runs. Runs interleave (a run started
 * while a delta was interrupted, and the delta resumed after it finished), so this, not the id, says
 * which of two runs built on the other. Ties go by id.
 */
function lastWrote(run: RunRecord): string {
  return run.endedAt ?? run.heartbeatAt;
}

const after = (r: RunRecord, target: RunRecord): boolean =>
  lastWrote(r) > lastWrote(target) || (lastWrote(r) === lastWrote(target) && r.id > target.id);

/**
 * Later runs that built on `target` and are not rolled back: every run or delta that last wrote after
 * the target did (even one that wrote nothing found the target's rows unchanged, and its watermarks
 * tell the next delta where to read from), and such a sample that wrote rows (it may have updated rows
 * the target created, or linked new rows to them). Newest first, the order they must be rolled back in.
 */
export function builtOn(journal: Journal, target: RunRecord): RunRecord[] {
  return journal
    .runs()
    .filter(
      (r) =>
        after(r, target) &&
        r.kind !== 'rollback' &&
        r.kind !== 'schema' &&
        r.status !== 'rolled_back' &&
        (r.kind === 'run' || r.kind === 'delta' || wrote(journal, r.id)),
    )
    .sort((a, b) => (after(a, b) ? -1 : 1));
}

/** What to do about an interrupted run before rolling it back: resume it with its own command. */
function resumeHint(target: RunRecord): string {
  const force = 'pass --force to roll back what the journal holds, with the writes whose answer never came';
  switch (target.kind) {
    case 'run':
    case 'delta':
      return `resume it first (\`flitstack ${target.kind}\`) so that every row it wrote is journaled, then roll it back; or ${force}`;
    case 'sample':
      // takeSample never resumes: `flitstack sample` starts a new sample instead of finishing this one.
      return `a sample is not resumed (\`flitstack sample\` starts a new one): ${force}`;
    case 'rollback':
    case 'schema':
      // Refused before: neither is rolled back.
      return force;
    default:
      return assertNever(target.kind);
  }
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
 * journal does not hold them (only the images it staged before sending them, which a rollback
 * settles too): it is refused unless `force`, with the advice to resume it first.
 */
export function checkTarget(journal: Journal, runId: number, force: boolean): RunRecord {
  const target = journal.run(runId);
  if (!target)
    throw new RollbackError(
      'run_not_found',
      `run ${runId} is not in the journal ${journal.path}`,
      'list the runs with `flitstack runs`',
    );
  if (target.kind === 'rollback')
    throw new RollbackError(
      'not_undoable',
      `run ${runId} is a rollback (of run ${target.parentRun}), which is not rolled back`,
      `to write the rows of run ${target.parentRun} again, run \`flitstack run\` (or \`flitstack delta\`); to finish an interrupted rollback, run \`flitstack rollback --run ${target.parentRun}\` again`,
    );
  if (target.kind === 'schema')
    throw new RollbackError(
      'not_undoable',
      `run ${runId} is a schema setup, which is not rolled back`,
      'schema changes are removed in the Dynamics solution, not by flitstack',
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
      resumeHint(target),
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
