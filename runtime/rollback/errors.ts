/** Why a rollback was refused before it wrote anything. */
export type RollbackErrorCode =
  | 'run_not_found'
  | 'run_running'
  | 'not_undoable'
  | 'run_interrupted'
  | 'built_upon';

/**
 * A rollback refused before it wrote anything (exit code 1; 2 for a run the journal does not hold, one
 * still running, or a rollback or schema setup, which is never rolled back): the message says why, the
 * hint what to do.
 */
export class RollbackError extends Error {
  override name = 'RollbackError';
  constructor(
    readonly code: RollbackErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
