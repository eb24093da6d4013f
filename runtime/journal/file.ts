import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the CLI keeps the journal unless told otherwise (relative to the migration's directory). */
export const DEFAULT_JOURNAL_PATH = '.flitstack/journal.db';

/** Permissions of the journal file: it holds patient data (pre-images, staged records). */
export const JOURNAL_FILE_MODE = 0o600;

/**
 * Makes sure the journal file exists with mode 0600 before SQLite opens it. SQLite creates the `-wal`
 * and `-shm` files with the permissions of the database file, so they inherit 0600. A file that exists
 * with looser permissions is tightened; the directory, when we create it, is 0700.
 */
export function prepareJournalFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // O_EXCL: create only if absent, so an existing journal is never truncated.
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, JOURNAL_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // The umask may only remove bits, never add: still set the mode explicitly on both paths.
  if ((statSync(path).mode & 0o777) !== JOURNAL_FILE_MODE) chmodSync(path, JOURNAL_FILE_MODE);
}
