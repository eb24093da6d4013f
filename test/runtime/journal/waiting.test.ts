import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  Journal,
  LOOKUP_REQUIRED,
  MIGRATIONS,
  migrate,
  type OperationInput,
  STATE_REFUSED,
} from '../../../runtime/journal/index.ts';
import { tempDir } from '../../support/tmp.ts';
import { created, guid, openTemp } from './helpers.ts';

const PARENTS = ['patient'];
const progress = { nextPage: 2, totalEntries: 1, extracted: 1, done: true };

/** An appointment rejected for its required patient lookup, awaiting `awaits` (none: an older journal). */
function rejected(sourceId: string, awaits?: OperationInput['awaits']): OperationInput {
  return {
    mapping: 'appointment',
    sourceId,
    key: `appointment-${sourceId}`,
    table: 'appointment',
    action: 'reject',
    reason: `lookup regardingobjectid: patient ${sourceId} was not loaded ${LOOKUP_REQUIRED}`,
    ...(awaits ? { awaits } : {}),
  };
}

/** Journals `ops` as page 1 of `resource` in a new completed run; returns the run's id. */
function journaled(journal: Journal, resource: string, ops: OperationInput[]): number {
  const run = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
  journal.recordPage(run.id, resource, 1, ops, [], progress);
  journal.finishRun(run.id, 'completed');
  return run.id;
}

describe('the records a delta reads again for their lookups', () => {
  it('are those whose awaited parent row was created since, not those awaiting another', () => {
    const { journal } = openTemp();
    journaled(journal, 'appointments', [
      rejected('1', [{ mapping: 'patient', key: 'patient-1' }]),
      rejected('2', [{ mapping: 'patient', key: 'patient-2' }]),
      {
        ...created('appointment', 3),
        flags: [{ column: 'regardingobjectid', code: 'lookup_unresolved', detail: 'left empty' }],
        awaits: [{ mapping: 'patient', key: 'patient-3' }],
      },
    ]);
    expect(journal.toReadAgain('appointment', PARENTS)).toEqual([]);
    journaled(journal, 'patients', [created('patient', 2, { key: 'patient-2' })]);
    expect(journal.toReadAgain('appointment', PARENTS)).toEqual(['2']);
    expect([...journal.operations(1)].map((o) => o.awaits)).toEqual([
      [{ mapping: 'patient', key: 'patient-1' }],
      [{ mapping: 'patient', key: 'patient-2' }],
      [{ mapping: 'patient', key: 'patient-3' }],
    ]);
    // A row created by a run rolled back since does not stand.
    const undone = journaled(journal, 'patients', [created('patient', 3, { key: 'patient-3' })]);
    const rollback = journal.startRun({ kind: 'rollback', specHash: 's', codeHash: 'c', parentRun: undone });
    journal.finishRun(rollback.id, 'completed');
    expect(journal.toReadAgain('appointment', PARENTS)).toEqual(['2']);
    journaled(journal, 'patients', [created('patient', 13, { key: 'patient-3' })]);
    expect(journal.toReadAgain('appointment', PARENTS)).toEqual(['2', '3']);
  });

  it('are read again though a later run only bound a deferred lookup of their row', () => {
    const { journal } = openTemp();
    // A clinic's row left one lookup empty (its contact) and its parent clinic unresolved.
    journaled(journal, 'clinics', [
      {
        ...created('clinic', 7, { key: 'clinic-7', table: 'account' }),
        flags: [{ column: 'primarycontactid', code: 'lookup_unresolved', detail: 'left empty' }],
        awaits: [{ mapping: 'patient', key: 'patient-7' }],
      },
    ]);
    // A later run loads the parent clinic and binds the row's parent, as bindDeferred journals it.
    const bound = journal.startRun({ kind: 'delta', specHash: 's', codeHash: 'c' });
    journal.recordBatch(bound.id, [
      {
        mapping: 'clinic',
        sourceId: '7',
        key: 'clinic-7',
        table: 'account',
        action: 'bind',
        targetId: guid(7),
        reason: 'parentaccountid bound',
      },
    ]);
    journal.finishRun(bound.id, 'completed');
    journaled(journal, 'patients', [created('patient', 7, { key: 'patient-7' })]);
    expect(journal.toReadAgain('clinic', ['patient', 'clinic'])).toEqual(['7']);
  });

  it('in a journal written before operations named what they await, are all those once a parent mapping created any row', () => {
    const path = join(tempDir(), 'journal.db');
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 7));
    db.prepare(
      `INSERT INTO runs (id, kind, status, started_at, heartbeat_at, spec_hash, code_hash, options,
         owner_pid, owner_host) VALUES (1, 'run', 'completed', 't', 't', 's', 'c', '{}', 1, 'h')`,
    ).run();
    const op = db.prepare(
      `INSERT INTO operations (run_id, mapping, source_id, action, reason, flags, target_id, target_table, at)
       VALUES (1, 'appointment', ?, ?, ?, ?, ?, 'appointment', 't')`,
    );
    op.run('1', 'reject', rejected('1').reason, null, null);
    op.run(
      '2',
      'update',
      null,
      JSON.stringify([{ column: 'regardingobjectid', code: 'lookup_unresolved', detail: 'left empty' }]),
      '00000000-0000-4000-8000-000000000002',
    );
    db.close();
    const journal = Journal.open(path);
    try {
      expect([...journal.operations(1)].map((o) => o.awaits)).toEqual([null, null]);
      expect(journal.toReadAgain('appointment', PARENTS)).toEqual([]);
      journaled(journal, 'patients', [created('patient', 9, { key: 'patient-9' })]);
      expect(journal.toReadAgain('appointment', PARENTS)).toEqual(['1', '2']);
    } finally {
      journal.close();
    }
  });

  it('are those whose row Dataverse wrote but whose state it refused, until a run writes the row again', () => {
    const { journal } = openTemp();
    const refused: OperationInput = {
      ...created('appointment', 4),
      action: 'reject',
      reason: `${STATE_REFUSED} (statecode 1, statuscode 4): 0x80048408 ...; the next run sets it`,
      error: { code: '0x80048408', message: 'not a valid status code' },
    };
    // Refused outright, a row is not read again: the record waits for a change in PracticeHub.
    const other: OperationInput = {
      ...created('appointment', 5),
      action: 'reject',
      reason: 'Dataverse refused the row: 0x80040237 ...',
      error: { code: '0x80040237', message: 'duplicate' },
    };
    journaled(journal, 'appointments', [created('appointment', 4), refused, other]);
    expect(journal.toReadAgain('appointment', [])).toEqual(['4']);
    journaled(journal, 'appointments', [{ ...created('appointment', 4), action: 'update' }]);
    expect(journal.toReadAgain('appointment', [])).toEqual([]);
  });
});
