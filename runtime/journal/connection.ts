import Database from 'better-sqlite3';
import { JournalError } from './errors.ts';
import { makeJournalPrivate, prepareJournalFile, sqliteProblem } from './file.ts';
import { migrate, SCHEMA_VERSION, schemaVersion } from './schema.ts';

/** SQLite settings of a journal connection. */
export interface ConnectionOptions {
  readonly readonly?: boolean;
  readonly synchronous?: 'full' | 'normal';
  readonly busyTimeoutMs?: number;
}

/** What to do with a journal an older FlitStack wrote, for commands that only read it. */
const UPGRADE_HINT =
  'the next `flitstack run`, `delta`, `sample` or `rollback` with this journal upgrades it in place, keeping every run; until then, read it with the FlitStack version that wrote it';

/**
 * Opens the SQLite file of a journal: created 0600 and migrated to the current schema when writable,
 * checked to be at the current schema when read only. WAL mode lets readers (reports, exports) run
 * while a run writes, and makes each commit atomic across a crash. A file that is no journal, damaged,
 * or not readable or writable by this user is refused with a JournalError that says so.
 */
export function openDatabase(path: string, options: ConnectionOptions = {}): Database.Database {
  const readonly = options.readonly ?? false;
  prepareJournalFile(path, readonly);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw sqliteProblem(path, error, readonly) ?? error;
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // Checked before switching to WAL, so a foreign SQLite file is refused untouched.
    const version = schemaVersion(db);
    if (readonly) {
      if (version === 0)
        throw new JournalError(
          'not_a_journal',
          `${path} is empty: it holds no runs`,
          'pass the journal the runs used with --journal',
        );
      if (version > SCHEMA_VERSION)
        throw new JournalError(
          'schema_too_new',
          `${path} has schema version ${version}; this FlitStack reads ${SCHEMA_VERSION}`,
          'use the FlitStack version that wrote it, or a newer one',
        );
      if (version < SCHEMA_VERSION)
        throw new JournalError(
          'schema_outdated',
          `${path} has schema version ${version}; this FlitStack reads ${SCHEMA_VERSION}`,
          UPGRADE_HINT,
        );
      return db;
    }
    makeJournalPrivate(path);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${path}: SQLite refused WAL mode (${String(mode)})`);
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw sqliteProblem(path, error, readonly) ?? error;
  }
}

/** Problems SQLite finds in the file (`integrity_check`, `foreign_key_check`); empty when sound. */
export function integrityProblems(db: Database.Database): string[] {
  const problems = (db.pragma('integrity_check') as { integrity_check: string }[])
    .map((row) => row.integrity_check)
    .filter((text) => text !== 'ok');
  for (const row of db.pragma('foreign_key_check') as { table: string; rowid: number }[]) {
    problems.push(`foreign key of ${row.table} row ${row.rowid} points nowhere`);
  }
  return problems;
}
