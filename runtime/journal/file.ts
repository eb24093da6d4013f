import { chmodSync, closeSync, constants, openSync, readSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsReason, makeDirectory, onReadOnlyFileSystem } from '../shared/paths.ts';
import { JournalError } from './errors.ts';

/** Where the CLI keeps the journal unless told otherwise (relative to the migration's directory). */
export const DEFAULT_JOURNAL_PATH = '.flitstack/journal.db';

/** Permissions of the journal file: it holds patient data (pre-images, staged records). */
export const JOURNAL_FILE_MODE = 0o600;

/** The first 16 bytes of every SQLite database (sqlite.org/fileformat.html, "The Database Header"). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What to do with a file that is not, or no longer, a readable journal. Never "start a new one" alone:
 * the journal is the only record of what the runs wrote, so a new one loses resume and rollback.
 */
export const DAMAGED_HINT =
  'if this is the journal your runs used, it is damaged: restore it from a backup (with its -wal file, if there is one); otherwise pass the right file with --journal. Keep this file meanwhile: a journal is the only record of what its runs created and changed, and without it they cannot be resumed, rolled back or reconciled';

const OWNER_HINT = 'run flitstack as the user who owns the journal (the one that ran the migration)';

function ownership(stat: Stats): string {
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  return `it belongs to uid ${stat.uid} with mode ${mode}, and this process runs as uid ${process.geteuid?.() ?? '?'}`;
}

/**
 * Refuses, before SQLite sees it, a path that cannot be a journal: a directory, a file that cannot be
 * read, a non-empty file without SQLite's header (a text file, random bytes). Such a file is left as it
 * was, its mode too. Returns the file's status, undefined when there is no file yet.
 */
function checkJournalFile(path: string, readonly: boolean): Stats | undefined {
  let stat: Stats | undefined;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    // A file where a directory should be: creating the journal says which one.
    if (!readonly && (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new JournalError(
      'unreadable',
      `cannot open the journal ${path}: ${fsReason(error, path)}`,
      'pass the journal file with --journal',
    );
  }
  if (!stat && readonly)
    throw new JournalError(
      'unreadable',
      `there is no journal at ${path}`,
      'pass the journal the runs used with --journal',
    );
  if (!stat) return undefined;
  if (!stat.isFile())
    throw new JournalError(
      'not_a_file',
      `${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, not a journal file`,
      `pass the journal file itself with --journal (by default ${DEFAULT_JOURNAL_PATH})`,
    );
  if (stat.size === 0) return stat;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? ownership(stat) : fsReason(error, path);
    throw new JournalError('unreadable', `cannot read the journal ${path}: ${why}`, OWNER_HINT);
  }
  if (!header.equals(SQLITE_HEADER))
    throw new JournalError(
      'not_a_journal',
      `${path} is not a journal: it is not a SQLite database`,
      DAMAGED_HINT,
    );
  return stat;
}

/**
 * Checks the journal file before SQLite opens it and, unless read only, creates it with mode 0600 when
 * it does not exist (the directory, when we create it, 0700). SQLite creates the `-wal` and `-shm`
 * files with the permissions of the database file, so they inherit 0600. An existing file with looser
 * permissions is tightened by makeJournalPrivate once SQLite has found a journal in it.
 */
export function prepareJournalFile(path: string, readonly = false): void {
  const stat = checkJournalFile(path, readonly);
  if (readonly) return;
  if (stat) {
    // Refused before SQLite opens it when its mode could not be tightened later.
    const uid = process.geteuid?.();
    if ((stat.mode & 0o777) !== JOURNAL_FILE_MODE && uid !== undefined && uid !== 0 && uid !== stat.uid)
      throw notPrivate(path, stat);
    return;
  }
  const cannotCreate = (error: unknown) =>
    new JournalError(
      'unwritable',
      `cannot create the journal ${path}: ${fsReason(error, dirname(path))}`,
      'pass with --journal a path in a directory this user can write',
    );
  try {
    makeDirectory(dirname(path), 0o700);
  } catch (error) {
    throw cannotCreate(error);
  }
  try {
    // O_EXCL: create only if absent, so an existing journal is never truncated.
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, JOURNAL_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate(error);
  }
  makeJournalPrivate(path);
}

/**
 * Sets the journal's mode to 0600 when it is not (the umask may only remove bits, never add, so it is
 * set explicitly on a new file too). Called for a file known to be a journal, or one just created: a
 * SQLite file that turns out not to be a journal is refused untouched.
 */
export function makeJournalPrivate(path: string): void {
  const current = statSync(path);
  if ((current.mode & 0o777) === JOURNAL_FILE_MODE) return;
  try {
    chmodSync(path, JOURNAL_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS')
      throw onReadOnlyDisk(path, 'make it private (mode 0600)');
    throw notPrivate(path, current);
  }
}

function notPrivate(path: string, stat: Stats): JournalError {
  return new JournalError(
    'unwritable',
    `cannot make the journal ${path} private (mode 0600): ${ownership(stat)}`,
    OWNER_HINT,
  );
}

/** The journal is on a file system mounted read-only: no owner or mode would help. */
function onReadOnlyDisk(path: string, what: string, said?: string): JournalError {
  return new JournalError(
    'unwritable',
    `cannot ${what}: the journal ${path} is on a read-only file system${said ? ` (${said})` : ''}`,
    'copy the journal (with its -wal file, if any) to a disk you can write and pass the copy with --journal, or mount the file system read-write',
  );
}

/**
 * The journal problem behind an error SQLite raised about the file (not a database, damaged, not
 * readable or writable, disk failing or full), said with the file and what to do; undefined for any
 * other error, which is a bug rather than the file's state.
 */
export function sqliteProblem(path: string, error: unknown, readonly: boolean): JournalError | undefined {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return undefined;
  const code = String((error as Error & { code?: unknown }).code ?? '');
  const said = `SQLite: ${error.message}`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new JournalError('damaged', `${path} is damaged (${said})`, DAMAGED_HINT);
  if (code.startsWith('SQLITE_IOERR'))
    return new JournalError(
      'unreadable',
      `reading or writing the journal ${path} failed (${said})`,
      'check the disk and file system it is on, then run the command again',
    );
  if (code === 'SQLITE_FULL')
    return new JournalError(
      'unwritable',
      `cannot write the journal ${path}: the disk is full (${said})`,
      'free space on that disk, then run the command again',
    );
  if (code === 'SQLITE_READONLY_DIRECTORY')
    return new JournalError(
      'unwritable',
      `cannot use the journal ${path}: SQLite keeps its -wal and -shm files beside it, and this user may not create them in ${dirname(path)} (${said})`,
      readonly
        ? `${OWNER_HINT}, or copy the journal (with its -wal file) into a directory you can write and pass the copy with --journal`
        : OWNER_HINT,
    );
  if (!code.startsWith('SQLITE_READONLY') && code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_PERM')
    return undefined;
  if (onReadOnlyFileSystem(path) || onReadOnlyFileSystem(dirname(path)))
    return onReadOnlyDisk(path, readonly ? 'read the journal' : 'write the journal', said);
  const stat = statSync(path, { throwIfNoEntry: false });
  return new JournalError(
    'unwritable',
    `cannot ${readonly ? 'read' : 'write'} the journal ${path}${stat ? `: ${ownership(stat)}` : ''} (${said})`,
    OWNER_HINT,
  );
}
