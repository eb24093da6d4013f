/** Why a journal call was refused; the journal is left as it was before the call. */
export type JournalErrorCode =
  | 'not_a_file'
  | 'not_a_journal'
  | 'damaged'
  | 'unreadable'
  | 'unwritable'
  | 'schema_too_new'
  | 'schema_outdated'
  | 'run_not_found'
  | 'run_not_running'
  | 'run_in_progress'
  | 'run_not_resumable'
  | 'invalid_run'
  | 'invalid_operation'
  | 'page_out_of_order'
  | 'deferred_not_found'
  | 'other_organization';

/**
 * The one error type of the journal: a code to branch on, a message that names what was wrong, and for
 * problems of the file itself a hint saying what to do.
 */
export class JournalError extends Error {
  readonly code: JournalErrorCode;
  readonly hint: string | undefined;

  constructor(code: JournalErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'JournalError';
    this.code = code;
    this.hint = hint;
  }
}
