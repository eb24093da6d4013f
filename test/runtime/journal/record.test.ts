import { describe, expect, it } from 'vitest';
import {
  type Journal,
  JournalError,
  type OperationInput,
  unbalanced,
} from '../../../runtime/journal/index.ts';
import { created, guid, openTemp, progressAfter, steppingClock } from './helpers.ts';

const start = { kind: 'run', specHash: 's', codeHash: 'c' } as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof JournalError) return error.code;
    throw error;
  }
  return undefined;
}

function counts(journal: Journal): Record<string, number> {
  const db = { ops: 0, crosswalk: journal.crosswalk.count() };
  for (const run of journal.runs()) for (const _ of journal.operations(run.id)) db.ops += 1;
  return db;
}

describe('recordPage', () => {
  it('journals operations, crosswalk rows and progress of a page together', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const run = journal.startRun(start);
    journal.recordPage(
      run.id,
      'patients',
      1,
      [
        created('contact', 1, {
          flags: [{ column: 'firstname', code: 'truncated', detail: 'cut from 60 to 50' }],
        }),
        { mapping: 'contact', sourceId: '2', action: 'reject', reason: 'invalid email', error: null },
        { mapping: 'contact', sourceId: '3', action: 'skip', reason: 'test patient' },
      ],
      [
        {
          mapping: 'contact',
          key: 'ph-1',
          sourceId: '1',
          table: 'contact',
          targetId: guid(1),
          payloadHash: 'h1',
          sourceUpdatedAt: '2024-03-01T10:00:00Z',
        },
      ],
      { nextPage: 2, totalEntries: 250, extracted: 3, done: false, maxUpdatedAt: '2024-03-01T10:00:00Z' },
    );
    const ops = [...journal.operations(run.id)];
    expect(ops.map((o) => [o.id, o.page, o.resource, o.sourceId, o.action, o.reason])).toEqual([
      [1, 1, 'patients', '1', 'create', null],
      [2, 1, 'patients', '2', 'reject', 'invalid email'],
      [3, 1, 'patients', '3', 'skip', 'test patient'],
    ]);
    expect(ops[0]!.flags).toEqual([{ column: 'firstname', code: 'truncated', detail: 'cut from 60 to 50' }]);
    expect(ops[0]!.at).toBe('2025-01-01T00:00:01.000Z');
    expect(journal.crosswalk.get('contact', 'ph-1')).toMatchObject({ targetId: guid(1), createdBy: run.id });
    expect(journal.progress(run.id, 'patients')).toEqual({
      runId: run.id,
      resource: 'patients',
      nextPage: 2,
      totalEntries: 250,
      extracted: 3,
      done: false,
      maxUpdatedAt: '2024-03-01T10:00:00.000Z',
      startedAt: '2025-01-01T00:00:01.000Z',
      updatedAt: '2025-01-01T00:00:01.000Z',
    });
    expect(journal.run(run.id)?.heartbeatAt).toBe('2025-01-01T00:00:01.000Z');
  });

  it('accumulates progress and keeps the greatest updated_at across time zones', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [], [], {
      ...progressAfter(1, 100),
      maxUpdatedAt: '2024-05-01T10:00:00+02:00',
    });
    journal.recordPage(run.id, 'patients', 2, [], [], {
      ...progressAfter(2, 100),
      maxUpdatedAt: '2024-05-01T09:00:00Z',
    });
    journal.recordPage(run.id, 'patients', 3, [], [], { ...progressAfter(3, 40, 3), maxUpdatedAt: null });
    expect(journal.progress(run.id, 'patients')).toMatchObject({
      nextPage: 4,
      extracted: 240,
      done: true,
      maxUpdatedAt: '2024-05-01T09:00:00.000Z',
    });
  });

  it('refuses pages out of order and leaves the journal as it was', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], progressAfter(1, 1));
    const before = counts(journal);
    expect(
      codeOf(() =>
        journal.recordPage(run.id, 'patients', 1, [created('contact', 9)], [], progressAfter(1, 1)),
      ),
    ).toBe('page_out_of_order');
    expect(
      codeOf(() =>
        journal.recordPage(run.id, 'patients', 3, [created('contact', 9)], [], progressAfter(3, 1)),
      ),
    ).toBe('page_out_of_order');
    expect(
      codeOf(() =>
        journal.recordPage(run.id, 'patients', 2, [], [], {
          nextPage: 2,
          totalEntries: 1,
          extracted: 1,
          done: false,
        }),
      ),
    ).toBe('page_out_of_order');
    journal.recordPage(run.id, 'patients', 2, [], [], {
      nextPage: 3,
      totalEntries: 1,
      extracted: 0,
      done: true,
    });
    expect(codeOf(() => journal.recordPage(run.id, 'patients', 3, [], [], progressAfter(3, 1)))).toBe(
      'page_out_of_order',
    );
    expect(counts(journal)).toEqual(before);
    // Another resource keeps its own page sequence.
    journal.recordPage(run.id, 'clinics', 1, [], [], progressAfter(1, 0));
    expect(journal.progressOf(run.id).map((p) => [p.resource, p.nextPage])).toEqual([
      ['clinics', 2],
      ['patients', 3],
    ]);
  });

  it.each([
    [{ mapping: 'contact', sourceId: '1', action: 'skip' }, /gives its reason/],
    [{ mapping: 'contact', sourceId: '1', action: 'reject', reason: '' }, /gives its reason/],
    [{ mapping: 'contact', sourceId: '1', action: 'create', table: 'contact' }, /table and target id/],
    [{ mapping: 'contact', sourceId: '1', action: 'update', targetId: guid(1) }, /table and target id/],
    [{ mapping: 'contact', sourceId: '1', action: 'create', table: 'contact', targetId: '42' }, /not a GUID/],
    [{ mapping: 'contact', sourceId: '', action: 'unchanged' }, /source id/],
    [{ mapping: '', sourceId: '1', action: 'unchanged' }, /mapping/],
    [{ mapping: 'contact', sourceId: '1', action: 'upsert' }, /unknown action/],
  ])('refuses the whole page for an invalid operation %#', (bad, message) => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    const page = [created('contact', 1), bad as unknown as OperationInput];
    expect(() => journal.recordPage(run.id, 'patients', 1, page, [], progressAfter(1, 2))).toThrow(message);
    expect(journal.progress(run.id, 'patients')).toBeUndefined();
    expect(counts(journal)).toEqual({ ops: 0, crosswalk: 0 });
  });

  it('refuses writes for a run that is not running', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.finishRun(run.id, 'completed');
    expect(codeOf(() => journal.recordPage(run.id, 'patients', 1, [], [], progressAfter(1, 0)))).toBe(
      'run_not_running',
    );
    expect(codeOf(() => journal.recordBatch(run.id, [created('contact', 1)]))).toBe('run_not_running');
    expect(codeOf(() => journal.recordBatch(77, []))).toBe('run_not_found');
  });
});

describe('accounting', () => {
  it('counts each source record once per mapping: rejected over loaded over skipped', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    const fanOut = (n: number, action: 'create' | 'reject' | 'unchanged'): OperationInput =>
      action === 'reject'
        ? { mapping: 'connection', sourceId: '1', action, reason: 'parent missing' }
        : { ...created('connection', n), sourceId: '1', action };
    journal.recordPage(
      run.id,
      'patients',
      1,
      [
        fanOut(10, 'create'),
        fanOut(11, 'reject'),
        { ...created('connection', 12), sourceId: '2' },
        { ...created('connection', 13), sourceId: '2', action: 'unchanged' },
        { mapping: 'connection', sourceId: '3', action: 'skip', reason: 'one clinic only' },
        created('contact', 1),
        { ...created('contact', 2), action: 'unchanged' },
        { mapping: 'contact', sourceId: '3', action: 'reject', reason: 'no name' },
      ],
      [],
      { nextPage: 2, totalEntries: 3, extracted: 3, done: true },
    );
    const summary = journal.accounting(run.id, {
      contact: 'patients',
      connection: 'patients',
      note: 'notes',
    });
    expect(summary).toEqual({
      connection: { resource: 'patients', extracted: 3, loaded: 1, rejected: 1, skipped: 1 },
      contact: { resource: 'patients', extracted: 3, loaded: 1, rejected: 1, skipped: 1 },
      note: { resource: 'notes', extracted: 0, loaded: 0, rejected: 0, skipped: 0 },
    });
    expect(unbalanced(summary)).toEqual([]);
  });

  it('shows a mapping that lost records as unbalanced', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], {
      ...progressAfter(1, 2),
      done: true,
    });
    journal.recordPage(run.id, 'clinics', 1, [], [], { ...progressAfter(1, 5), done: true });
    const summary = journal.accounting(run.id, { contact: 'patients', account: 'clinics' });
    expect(unbalanced(summary)).toEqual(['contact', 'account']);
  });

  it('counts batch operations under the resource they name, and binds not at all', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'appointments', 1, [], [], { ...progressAfter(1, 2), done: true });
    journal.recordBatch(
      run.id,
      [created('appointment', 1), { ...created('appointment', 2), action: 'unchanged' }],
      [],
      {
        resource: 'appointments',
      },
    );
    journal.recordBatch(run.id, [{ ...created('appointment', 1), action: 'bind' }]);
    expect(journal.accounting(run.id)).toEqual({
      appointment: { resource: 'appointments', extracted: 2, loaded: 1, rejected: 0, skipped: 1 },
    });
    expect(
      codeOf(() => journal.recordBatch(run.id, [created('appointment', 3)], [], { resource: 'patients' })),
    ).toBe('invalid_operation');
  });
});
