import { describe, expect, it } from 'vitest';
import { created, guid, openTemp, progressAfter, steppingClock } from './helpers.ts';

const start = { kind: 'run', specHash: 's', codeHash: 'c' } as const;

describe('rollback reads', () => {
  it('lists created rows and pre-images newest first, in reverse load order', () => {
    const { journal } = openTemp({ chunkSize: 2 });
    const run = journal.startRun(start);
    const pre = (n: number) => ({ telephone1: `+44 20 0000 000${n}` });
    journal.recordPage(
      run.id,
      'clinics',
      1,
      [
        created('account', 1),
        created('account', 2),
        { ...created('account', 3), action: 'update', preImage: pre(3) },
      ],
      [],
      progressAfter(1, 3),
    );
    journal.recordPage(
      run.id,
      'clinics',
      2,
      [
        created('account', 4),
        { ...created('account', 5), action: 'update', preImage: pre(5) },
        { ...created('account', 1), action: 'bind', preImage: null },
        { ...created('account', 3), action: 'bind', preImage: { parentaccountid: null } },
        { ...created('account', 6), action: 'deactivate', preImage: { statecode: 0, statuscode: 1 } },
        { ...created('account', 7), action: 'unchanged' },
      ],
      [],
      progressAfter(2, 6),
    );
    expect([...journal.createdBy(run.id)].map((o) => o.targetId)).toEqual([guid(4), guid(2), guid(1)]);
    expect([...journal.updatedBy(run.id)].map((o) => [o.action, o.sourceId, o.preImage])).toEqual([
      ['deactivate', '6', { statecode: 0, statuscode: 1 }],
      ['bind', '3', { parentaccountid: null }],
      ['update', '5', pre(5)],
      ['update', '3', pre(3)],
    ]);
    expect([...journal.operations(run.id, { action: ['bind', 'unchanged'] })].map((o) => o.sourceId)).toEqual(
      ['1', '3', '7'],
    );
    expect([...journal.operations(run.id, { mapping: 'contact' })]).toEqual([]);
    expect(
      [...journal.operations(run.id, { mapping: 'account', action: 'update' })].map((o) => o.id),
    ).toEqual([3, 5]);
  });

  it('keeps runs apart', () => {
    const { journal } = openTemp();
    const first = journal.startRun(start);
    journal.recordPage(first.id, 'clinics', 1, [created('account', 1)], [], progressAfter(1, 1));
    journal.finishRun(first.id, 'completed');
    const second = journal.startRun(start);
    journal.recordPage(second.id, 'clinics', 1, [created('account', 2)], [], progressAfter(1, 1));
    expect([...journal.createdBy(first.id)].map((o) => o.sourceId)).toEqual(['1']);
    expect([...journal.createdBy(second.id)].map((o) => o.sourceId)).toEqual(['2']);
    expect(journal.progress(second.id, 'clinics')?.extracted).toBe(1);
  });
});

/**
 * A journal, with `load` (a completed run or delta that read the patients whole, up to `maxUpdatedAt`)
 * and `rollBack` (a completed rollback of a run).
 */
function loads() {
  const { journal } = openTemp({ now: steppingClock() });
  const load = (kind: 'run' | 'delta', maxUpdatedAt: string, parentRun?: number) => {
    const run = journal.startRun({ ...start, kind, ...(parentRun ? { parentRun } : {}) });
    journal.recordPage(run.id, 'patients', 1, [], [], { ...progressAfter(1, 1, 1), maxUpdatedAt });
    journal.finishRun(run.id, 'completed');
    return run.id;
  };
  const rollBack = (target: number) => {
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: target });
    journal.finishRun(rollback.id, 'completed');
  };
  return { journal, load, rollBack };
}

describe('watermarks', () => {
  it('are set by a completed run from fully extracted resources only', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [], [], {
      ...progressAfter(1, 1, 1),
      maxUpdatedAt: '2024-06-01T00:00:00Z',
    });
    journal.recordPage(run.id, 'clinics', 1, [], [], {
      ...progressAfter(1, 1),
      maxUpdatedAt: '2024-06-02T00:00:00Z',
    });
    expect(journal.watermarks.all()).toEqual([]);
    journal.finishRun(run.id, 'completed');
    expect(journal.watermarks.all()).toEqual([
      {
        resource: 'patients',
        maxUpdatedAt: '2024-06-01T00:00:00.000Z',
        extractionStartedAt: '2025-01-01T00:00:01.000Z',
        runId: run.id,
        setAt: '2025-01-01T00:00:04.000Z',
      },
    ]);
  });

  it('are not set by a failed run or a sample', () => {
    const { journal } = openTemp();
    for (const [kind, status] of [
      ['run', 'failed'],
      ['sample', 'completed'],
    ] as const) {
      const run = journal.startRun({ ...start, kind });
      journal.recordPage(run.id, 'patients', 1, [], [], {
        ...progressAfter(1, 1, 1),
        maxUpdatedAt: '2024-06-01T00:00:00Z',
      });
      journal.finishRun(run.id, status);
    }
    expect(journal.watermarks.get('patients')).toBeUndefined();
  });

  it('go back to those of the newest run standing when their run is rolled back, and move on from there', () => {
    const { journal, load, rollBack } = loads();
    const first = load('run', '2024-06-01T00:00:00Z');
    const delta = load('delta', '2024-06-03T00:00:00Z', first);
    expect(journal.watermarks.get('patients')?.runId).toBe(delta);
    rollBack(delta);
    expect(journal.watermarks.get('patients')).toMatchObject({
      runId: first,
      maxUpdatedAt: '2024-06-01T00:00:00.000Z',
      extractionStartedAt: journal.progress(first, 'patients')?.startedAt,
    });
    expect(journal.watermarks.all().map((w) => w.runId)).toEqual([first]);
    // Older than the rolled back delta's watermark, newer than the one standing: it moves.
    const next = load('delta', '2024-06-02T00:00:00Z', first);
    expect(journal.watermarks.get('patients')).toMatchObject({
      runId: next,
      maxUpdatedAt: '2024-06-02T00:00:00.000Z',
    });
    rollBack(next);
    rollBack(first);
    expect(journal.watermarks.get('patients')).toBeUndefined();
    expect(journal.watermarks.all()).toEqual([]);
  });

  it('stay where a full run finds them: its whole read lists no deletion since', () => {
    const { journal, load, rollBack } = loads();
    const first = load('run', '2024-06-01T00:00:00Z');
    load('run', '2024-06-05T00:00:00Z');
    expect(journal.watermarks.get('patients')).toMatchObject({
      runId: first,
      maxUpdatedAt: '2024-06-01T00:00:00.000Z',
    });
    const delta = load('delta', '2024-06-06T00:00:00Z', first);
    const third = load('run', '2024-06-09T00:00:00Z');
    expect(journal.watermarks.get('patients')?.runId).toBe(delta);
    // With the delta rolled back, the watermark standing is the first full run's still.
    rollBack(third);
    rollBack(delta);
    expect(journal.watermarks.get('patients')?.runId).toBe(first);
  });

  it('only move forward', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    expect(journal.watermarks.set(run.id, 'patients', '2024-06-01T00:00:00Z', null)).toBe(true);
    expect(journal.watermarks.set(run.id, 'patients', '2024-05-01T00:00:00Z', null)).toBe(false);
    expect(journal.watermarks.get('patients')?.maxUpdatedAt).toBe('2024-06-01T00:00:00.000Z');
    expect(journal.watermarks.set(run.id, 'patients', '2024-06-01T01:00:00+00:00')).toBe(true);
    expect(journal.watermarks.get('patients')?.maxUpdatedAt).toBe('2024-06-01T01:00:00.000Z');
    expect(() => journal.watermarks.set(run.id, 'patients', 'yesterday')).toThrow(/not a timestamp/);
  });
});
