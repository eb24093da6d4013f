import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  Journal,
  MIGRATIONS,
  type Migration,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
} from '../../../runtime/journal/index.ts';
import { APPLICATION_ID } from '../../../runtime/journal/schema.ts';
import { tempDir } from '../../support/tmp.ts';
import { openTemp } from './helpers.ts';

const tables = (db: Database.Database): string[] =>
  db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[];

describe('schema', () => {
  it('creates the whole schema in an empty (zero-byte) file and records its version', () => {
    const path = join(tempDir(), 'journal.db');
    writeFileSync(path, '');
    const journal = Journal.open(path);
    expect(journal.schemaVersion).toBe(SCHEMA_VERSION);
    journal.close();
    const db = new Database(path, { readonly: true });
    expect(tables(db)).toEqual([
      'counters',
      'crosswalk',
      'deferred',
      'matches',
      'meta',
      'operations',
      'progress',
      'runs',
      'staff',
      'staged',
      'staged_images',
      'watermarks',
    ]);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION),
    );
    db.close();
  });

  it('opens an existing journal again without migrating it twice', () => {
    const { journal, path } = openTemp();
    journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    journal.close();
    const again = Journal.open(path);
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    expect(again.runs()).toHaveLength(1);
    again.close();
  });

  it('applies only the missing steps, each with its version', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    const v2: Migration = { version: 2, sql: 'ALTER TABLE runs ADD COLUMN note TEXT' };
    const v3: Migration = { version: 3, sql: 'CREATE TABLE extra (x INTEGER) STRICT' };
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toBe(1);
    expect(tables(db)).not.toContain('extra');
    expect(migrate(db, [...MIGRATIONS.slice(0, 1), v2, v3])).toBe(3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('runs')).toContain('note');
    expect(tables(db)).toContain('extra');
    db.close();
  });

  it('version 4 adds staged pre-images to a version 3 journal; journaling the operation of a row consumes its image', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 3));
    db.close();
    const journal = Journal.open(path);
    expect(journal.schemaVersion).toBe(SCHEMA_VERSION);
    const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    const id = '00000000-0000-4000-8000-000000000001';
    journal.images.stage(run.id, [
      {
        mapping: 'patient',
        key: 'patient-1',
        targetId: id,
        action: 'update',
        preImage: { firstname: 'First' },
      },
    ]);
    expect(journal.images.get(run.id, 'patient', 'patient-1')).toMatchObject({
      targetId: id,
      action: 'update',
      preImage: { firstname: 'First' },
    });
    // Journaling the row's operation consumes its staged image.
    journal.recordPage(
      run.id,
      'patients',
      1,
      [
        {
          mapping: 'patient',
          sourceId: '1',
          key: 'patient-1',
          table: 'contact',
          action: 'update',
          targetId: id,
          preImage: { firstname: 'First' },
        },
      ],
      [],
      { nextPage: 2, totalEntries: 1, extracted: 1, done: true },
    );
    expect(journal.images.get(run.id, 'patient', 'patient-1')).toBeUndefined();
    expect(journal.integrityCheck()).toEqual([]);
    journal.close();
  });

  it('version 3 links the undo operations of earlier rollbacks to what they undid, read once from their reasons', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 2));
    const run = db.prepare(
      `INSERT INTO runs (id, kind, status, started_at, heartbeat_at, spec_hash, code_hash, options,
         parent_run, owner_pid, owner_host) VALUES (?, ?, 'failed', 't', 't', 's', 'c', '{}', ?, 1, 'h')`,
    );
    run.run(1, 'run', null);
    run.run(2, 'rollback', 1);
    run.run(3, 'run', null);
    const op = db.prepare(
      `INSERT INTO operations (id, run_id, mapping, source_id, action, reason, at) VALUES (?, ?, 'm', 's', ?, ?, 't')`,
    );
    op.run(1, 1, 'create', null);
    op.run(2, 1, 'update', null);
    op.run(3, 3, 'skip', 'undoes operation 1 (create in run 1)');
    op.run(4, 2, 'delete', 'undoes operation 1 (create in run 1)');
    op.run(5, 2, 'restore', 'undoes operation 2 (update in run 1); restore failed: refused');
    op.run(6, 2, 'skip', 'undoes operation 3 (skip in run 3)');
    op.run(7, 2, 'skip', 'undoes operation 2x (update in run 1)');
    db.close();
    const journal = Journal.open(path);
    expect(journal.schemaVersion).toBe(SCHEMA_VERSION);
    const undoes = (runId: number) => [...journal.operations(runId)].map((o) => [o.id, o.undoes]);
    expect(undoes(1)).toEqual([
      [1, null],
      [2, null],
    ]);
    // Only a rollback's rows, and only ids of operations of the run it rolls back.
    expect(undoes(2)).toEqual([
      [4, 1],
      [5, 2],
      [6, null],
      [7, null],
    ]);
    expect(undoes(3)).toEqual([[3, null]]);
    expect(journal.integrityCheck()).toEqual([]);
    journal.close();
  });

  it('leaves the previous version intact when a step fails', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    const broken: Migration = {
      version: 2,
      sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM missing_table',
    };
    expect(() => migrate(db, [...MIGRATIONS.slice(0, 1), broken])).toThrow(/missing_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('refuses a journal written by a newer version', () => {
    const { journal, path } = openTemp();
    journal.close();
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION + 1));
    db.close();
    expect(() => Journal.open(path)).toThrow(
      expect.objectContaining({ name: 'JournalError', code: 'schema_too_new' }),
    );
    expect(() => Journal.open(path, { readonly: true })).toThrow(/schema version/);
  });

  it('refuses another application’s SQLite file and leaves it untouched', () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    expect(() => Journal.open(path)).toThrow(/not a FlitStack journal/);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(tables(check)).toEqual(['notes']);
    check.close();
  });

  it('read-only: refuses a file that does not exist or has no schema yet', () => {
    const dir = tempDir();
    expect(() => Journal.open(join(dir, 'absent.db'), { readonly: true })).toThrow(
      expect.objectContaining({ code: 'unreadable', message: `there is no journal at ${dir}/absent.db` }),
    );
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect(() => Journal.open(empty, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'not_a_journal', message: `${empty} is empty: it holds no runs` }),
    );
  });

  it('read-only: reads while a writer holds the file open, and cannot write', () => {
    const { journal, path } = openTemp();
    const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
    const reader = Journal.open(path, { readonly: true });
    expect(reader.run(run.id)?.status).toBe('running');
    expect(() => reader.watermarks.set(run.id, 'patients', '2025-01-01T00:00:00Z')).toThrow(/readonly/);
    reader.close();
  });
});
