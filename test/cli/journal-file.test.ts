import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { created } from '../runtime/journal/helpers.ts';
import { UNREACHABLE_ENV } from '../support/net.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/**
 * Variables that let each command get as far as opening its journal; nothing listens on port 9, and
 * no command may send a request before its journal opened.
 */
const ENV = UNREACHABLE_ENV;

async function flitstack(...args: string[]) {
  const io = bufferIo(ROOT, ENV);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Every command that opens the journal, reading it or writing it. */
function commands(journal: string, out: string): string[][] {
  return [
    ['runs', '--journal', journal],
    ['log', '--run', '1', '--journal', journal],
    ['run', '--journal', journal],
    ['sample', '--journal', journal, '--out', out],
    ['rollback', '--run', '1', '--journal', journal],
    ['reconcile', '--journal', journal, '--out', out],
  ];
}

describe('a journal file that cannot be used', () => {
  it('random bytes: every command exits 2 naming the file and what to do, and leaves it as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'journal.db');
    writeFileSync(path, randomBytes(8192));
    const before = readFileSync(path);
    for (const args of commands(path, join(dir, 'reports'))) {
      const result = await flitstack(...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toBe(
        `error: ${path} is not a journal: it is not a SQLite database\n  hint: if this is the journal your runs used, it is damaged: restore it from a backup (with its -wal file, if there is one); otherwise pass the right file with --journal. Keep this file meanwhile: a journal is the only record of what its runs created and changed, and without it they cannot be resumed, rolled back or reconciled\n`,
      );
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a directory: exit 2, not a disk I/O error', async () => {
    const dir = tempDir();
    for (const args of [
      ['runs', '--journal', dir],
      ['run', '--journal', dir],
    ]) {
      const result = await flitstack(...args);
      expect(result.code).toBe(2);
      expect(result.err).toBe(
        `error: ${dir} is a directory, not a journal file\n  hint: pass the journal file itself with --journal (by default .flitstack/journal.db)\n`,
      );
    }
  });

  it('a page damaged where only a later read meets it: exit 2 saying the journal is damaged', async () => {
    const path = join(tempDir(), 'journal.db');
    const journal = Journal.open(path, { synchronous: 'normal' });
    const first = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    const ops = Array.from({ length: 500 }, (_, i) => created('contact', i + 1));
    journal.recordPage(first.id, 'patients', 1, ops, [], {
      nextPage: 2,
      totalEntries: 500,
      extracted: 500,
      done: true,
    });
    journal.finishRun(first.id, 'completed');
    journal.close();
    // Overwrite the root page of the operations table: the journal still opens and lists its runs.
    const db = new Database(path, { readonly: true });
    const root = db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'operations'`).pluck().get();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (Number(root) - 1) * pageSize);
    closeSync(fd);
    expect((await flitstack('runs', '--journal', path)).code).toBe(0);
    const log = await flitstack('log', '--run', '1', '--journal', path);
    expect(log.code).toBe(2);
    expect(
      log.err.startsWith(
        `error: the journal ${path} is damaged (SQLite: database disk image is malformed)\n  hint: `,
      ),
    ).toBe(true);
    expect(log.err).toContain('restore it from a backup');
  });
});
