import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_JOURNAL_PATH, JOURNAL_FILE_MODE, Journal } from '../../../runtime/journal/index.ts';
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
