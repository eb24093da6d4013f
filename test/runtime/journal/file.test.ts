import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JOURNAL_PATH,
  JOURNAL_FILE_MODE,
  Journal,
  JournalError,
  MIGRATIONS,
  migrate,
  SCHEMA_VERSION,
} from '../../../runtime/journal/index.ts';
import { tempDir } from '../../support/tmp.ts';
import { created, openTemp } from './helpers.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('journal file', () => {
  it('is created 0600, and so are its WAL and shared-memory files', () => {
    const { journal, path } = openTemp();
    const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], {
      nextPage: 2,
      totalEntries: 1,
      extracted: 1,
      done: true,
    });
    expect(JOURNAL_FILE_MODE).toBe(0o600);
    expect(mode(path)).toBe(0o600);
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    expect(mode(dirname(path))).toBe(0o700);
  });

  it('creates 0600 whatever the umask allows', () => {
    const previous = process.umask(0o000);
    try {
      const { path } = openTemp();
      expect(mode(path)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing file that others could read', () => {
    const path = join(tempDir(), 'journal.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    Journal.open(path).close();
    expect(mode(path)).toBe(0o600);
  });

  it('defaults to .flitstack/journal.db', () => {
    expect(DEFAULT_JOURNAL_PATH).toBe('.flitstack/journal.db');
  });
});

/** Opens `path` and returns the JournalError it is refused with (fails the test if it opens). */
function refusal(path: string, readonly: boolean): JournalError {
  try {
    Journal.open(path, { readonly }).close();
  } catch (error) {
    if (error instanceof JournalError) return error;
    throw error;
  }
  throw new Error(`${path} opened${readonly ? ' read only' : ''}`);
}

/** A journal of a few hundred kilobytes (many pages), cut after its first half. */
function truncatedJournal(path: string): void {
  const journal = Journal.open(path, { synchronous: 'normal' });
  const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
  for (let page = 1; page <= 20; page++) {
    const ops = Array.from({ length: 100 }, (_, i) => created('contact', page * 1000 + i));
    journal.recordPage(run.id, 'patients', page, ops, [], {
      nextPage: page + 1,
      totalEntries: 2000,
      extracted: 100,
      done: page === 20,
    });
  }
  journal.close();
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096));
}

const BAD_FILES = [
  {
    name: 'random bytes',
    make: (path: string) => writeFileSync(path, randomBytes(8192)),
    code: 'not_a_journal',
    says: 'is not a journal: it is not a SQLite database',
  },
  {
    name: 'a text file',
    make: (path: string) => writeFileSync(path, '# notes\nnot a journal\n'),
    code: 'not_a_journal',
    says: 'is not a journal: it is not a SQLite database',
  },
  {
    name: 'a truncated journal',
    make: truncatedJournal,
    code: 'damaged',
    says: 'is damaged (SQLite: database disk image is malformed)',
  },
] as const;

describe('a file that is not a usable journal', () => {
  it("another program's SQLite database, opened for writing: refused, its mode and bytes as they were", () => {
    const path = join(tempDir(), 'app.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    chmodSync(path, 0o644);
    const before = readFileSync(path);
    const error = refusal(path, false);
    expect([error.code, error.message]).toEqual([
      'not_a_journal',
      `${path} is a SQLite file but not a FlitStack journal`,
    ]);
    expect(mode(path)).toBe(0o644);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  for (const bad of BAD_FILES) {
    for (const readonly of [true, false]) {
      it(`${bad.name}, opened ${readonly ? 'read only' : 'for writing'}: refused as ${bad.code}, left as it was`, () => {
        const path = join(tempDir(), 'journal.db');
        bad.make(path);
        chmodSync(path, 0o644);
        const before = readFileSync(path);
        const error = refusal(path, readonly);
        expect(error.code).toBe(bad.code);
        expect(error.message).toBe(`${path} ${bad.says}`);
        expect(error.hint).toContain('restore it from a backup');
        expect(error.hint).toContain('without it they cannot be resumed, rolled back or reconciled');
        expect(readFileSync(path).equals(before)).toBe(true);
        if (bad.code === 'not_a_journal') {
          expect(mode(path)).toBe(0o644);
          expect(existsSync(`${path}-wal`)).toBe(false);
        }
      });
    }
  }

  it('a directory: refused, and its permissions are not touched', () => {
    const dir = join(tempDir(), 'journals');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    for (const readonly of [true, false]) {
      const error = refusal(dir, readonly);
      expect(error.code).toBe('not_a_file');
      expect(error.message).toBe(`${dir} is a directory, not a journal file`);
      expect(error.hint).toBe(
        'pass the journal file itself with --journal (by default .flitstack/journal.db)',
      );
    }
    expect(mode(dir)).toBe(0o755);
  });

  it('a path below a file: refused, naming the file in the way', () => {
    const file = join(tempDir(), 'README.md');
    writeFileSync(file, '# readme\n');
    const error = refusal(join(file, 'x.db'), false);
    expect(error.code).toBe('unwritable');
    expect(error.message).toBe(`cannot create the journal ${file}/x.db: ${file} is a file, not a directory`);
    expect(readFileSync(file, 'utf8')).toBe('# readme\n');
  });

  it('an empty file, read: it holds no runs', () => {
    const path = join(tempDir(), 'journal.db');
    writeFileSync(path, '');
    const error = refusal(path, true);
    expect([error.code, error.message]).toEqual(['not_a_journal', `${path} is empty: it holds no runs`]);
  });

  it('an older schema, read: names the commands that upgrade it', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, SCHEMA_VERSION - 1));
    db.close();
    const error = refusal(path, true);
    expect(error.code).toBe('schema_outdated');
    expect(error.message).toBe(
      `${path} has schema version ${SCHEMA_VERSION - 1}; this FlitStack reads ${SCHEMA_VERSION}`,
    );
    expect(error.hint).toContain('the next `flitstack run`, `delta`, `sample` or `rollback`');
    Journal.open(path).close();
    Journal.open(path, { readonly: true }).close();
  });
});

/** The effective ids of `nobody`: file access as another user than the journal's owner (root). */
const NOBODY = 65534;

function asNobody<T>(fn: () => T): T {
  process.setegid!(NOBODY);
  process.seteuid!(NOBODY);
  try {
    return fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

/**
 * Only root can act as another user; and that user must be able to reach the temporary directory
 * (a /tmp without search permission for others cannot host the case: set TMPDIR).
 */
function canActAsNobody(): boolean {
  if (process.getuid?.() !== 0 || !process.seteuid) return false;
  const dir = tempDir();
  chmodSync(dir, 0o755);
  return asNobody(() => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  });
}

describe.skipIf(!canActAsNobody())('a journal that belongs to another user', () => {
  function rootJournal(fileMode: number): string {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, 'journal.db');
    Journal.open(path).close();
    chmodSync(path, fileMode);
    return path;
  }

  it('readable by us: refused for writing (not made private), and for reading where SQLite cannot write beside it', () => {
    const path = rootJournal(0o644);
    const write = asNobody(() => refusal(path, false));
    expect(write.code).toBe('unwritable');
    expect(write.message).toBe(
      `cannot make the journal ${path} private (mode 0600): it belongs to uid 0 with mode 0644, and this process runs as uid ${NOBODY}`,
    );
    expect(write.hint).toContain('run flitstack as the user who owns the journal');
    expect(mode(path)).toBe(0o644);
    const read = asNobody(() => refusal(path, true));
    expect(read.code).toBe('unwritable');
    expect(read.message).toContain(`this user may not create them in ${dirname(path)}`);
    expect(read.hint).toContain('copy the journal');
  });

  it('private to its owner: refused for reading and writing alike', () => {
    const path = rootJournal(0o600);
    for (const readonly of [true, false]) {
      const error = asNobody(() => refusal(path, readonly));
      expect(error.code).toBe('unreadable');
      expect(error.message).toBe(
        `cannot read the journal ${path}: it belongs to uid 0 with mode 0600, and this process runs as uid ${NOBODY}`,
      );
    }
  });
});
