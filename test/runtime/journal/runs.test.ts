import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type HostView, Journal, JournalError, realHost } from '../../../runtime/journal/index.ts';
import { created, guid, openTemp, progressAfter, steppingClock } from './helpers.ts';

const start = { kind: 'run', specHash: 'spec-1', codeHash: 'code-1' } as const;

/** The staged image of row `key` (of mapping patient) as run `n` would stage it. */
const image = (n: number, key: string) => ({
  mapping: 'patient',
  key,
  targetId: guid(n),
  action: 'update' as const,
  preImage: { lastname: `before run ${n}` },
});

/** Journals run `runId`'s one page: an operation on row `key` of mapping patient (record n). */
function journalRow(
  journal: Journal,
  runId: number,
  key: string,
  n = 1,
  action: 'create' | 'update' | 'deactivate' = 'create',
): void {
  journal.recordPage(
    runId,
    'patients',
    1,
    [{ ...created('patient', n, { key }), action }],
    [],
    progressAfter(1, 1, 1),
  );
}

/** Journals one page of a completed delta writing row `key`. */
function deltaWriting(journal: Journal, n: number, key: string): void {
  const delta = journal.startRun({ ...start, kind: 'delta' });
  journalRow(journal, delta.id, key, n);
  journal.finishRun(delta.id, 'completed');
}

/** The real host, except that this process appears to have started at another time (another process). */
const impostor = (): HostView => {
  const real = realHost();
  return {
    host: real.host,
    bootId: real.bootId,
    probe: (pid) => (pid === process.pid ? { exists: true, startTicks: 'other' } : real.probe(pid)),
  };
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof JournalError) return error.code;
    throw error;
  }
  return undefined;
}

describe('runs', () => {
  it('records a run with its hashes, options, owner and times', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const run = journal.startRun({ ...start, options: { batchSize: 200, only: ['patient'] } });
    expect(run).toMatchObject({
      id: 1,
      kind: 'run',
      status: 'running',
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: null,
      specHash: 'spec-1',
      codeHash: 'code-1',
      options: { batchSize: 200, only: ['patient'] },
      summary: null,
      parentRun: null,
      attempts: 1,
    });
    expect(run.owner.pid).toBe(process.pid);
    expect(run.owner.host).toBe(hostname());
    expect(journal.run(run.id)).toEqual(run);
    expect(journal.run(99)).toBeUndefined();
  });

  it('never stores a secret passed in the options', () => {
    const { journal } = openTemp();
    const run = journal.startRun({
      ...start,
      options: {
        clientSecret: 's3cr3t',
        dataverse: { accessToken: 'tok', url: 'https://x' },
        apiKey: 'k-eu',
        accounts: [{ name: 'a', privateKey: 'pem' }],
      },
    });
    expect(run.options).toEqual({
      clientSecret: '[redacted]',
      dataverse: { accessToken: '[redacted]', url: 'https://x' },
      apiKey: '[redacted]',
      accounts: [{ name: 'a', privateKey: '[redacted]' }],
    });
    expect(JSON.stringify(journal.runs())).not.toMatch(/s3cr3t|tok"|k-eu|pem/);
  });

  it('finishes a run with its accounting as the default summary', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], progressAfter(1, 1, 1));
    const done = journal.finishRun(run.id, 'completed');
    expect(done.status).toBe('completed');
    expect(done.endedAt).toBe('2025-01-01T00:00:02.000Z');
    expect(done.summary).toEqual({
      contact: { resource: 'patients', extracted: 1, loaded: 1, rejected: 0, skipped: 0 },
    });
    expect(codeOf(() => journal.finishRun(run.id, 'failed'))).toBe('run_not_running');
  });

  it('finds the latest run by kind and status', () => {
    const { journal } = openTemp();
    const a = journal.startRun(start);
    journal.finishRun(a.id, 'completed');
    const b = journal.startRun({ ...start, kind: 'sample' });
    journal.finishRun(b.id, 'failed');
    const c = journal.startRun({ ...start, kind: 'delta', parentRun: a.id });
    expect(journal.latestRun()?.id).toBe(c.id);
    expect(journal.latestRun({ kind: 'run' })?.id).toBe(a.id);
    expect(journal.latestRun({ status: 'failed' })?.id).toBe(b.id);
    expect(journal.latestRun({ kind: 'run', status: 'failed' })).toBeUndefined();
    expect(c.parentRun).toBe(a.id);
  });

  it('refuses a second running run, a rollback without a target, and a missing parent', () => {
    const { journal } = openTemp();
    journal.startRun(start);
    expect(codeOf(() => journal.startRun(start))).toBe('run_in_progress');
    expect(() => journal.startRun(start)).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('wait for it to finish, or stop it') }),
    );
    const other = openTemp().journal;
    expect(codeOf(() => other.startRun({ ...start, kind: 'rollback' }))).toBe('invalid_run');
    expect(codeOf(() => other.startRun({ ...start, kind: 'delta', parentRun: 7 }))).toBe('run_not_found');
  });

  it('marks a completed rollback’s target rolled back', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    const ended = journal.finishRun(run.id, 'completed').endedAt;
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: run.id });
    expect(journal.run(run.id)?.status).toBe('completed');
    journal.finishRun(rollback.id, 'completed');
    expect(journal.run(run.id)?.status).toBe('rolled_back');
    expect(journal.run(run.id)?.endedAt).toBe(ended);
    expect(journal.run(rollback.id)?.status).toBe('completed');
  });

  it('marks a run whose process is gone as interrupted, at its last heartbeat', () => {
    const { journal, path } = openTemp({ now: steppingClock() });
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], progressAfter(1, 1));
    const heartbeat = journal.run(run.id)!.heartbeatAt;
    expect(journal.markInterrupted()).toEqual([]);
    const later = Journal.open(path, { host: impostor() });
    const marked = later.markInterrupted();
    expect(marked.map((r) => [r.id, r.status, r.endedAt])).toEqual([[run.id, 'interrupted', heartbeat]]);
    later.close();
  });

  it('resumes an interrupted run under the same id and fences off the old owner', () => {
    const { journal, path } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], progressAfter(1, 1));
    const successor = Journal.open(path, { host: impostor() });
    const resumed = successor.resume(run.id);
    expect(resumed).toMatchObject({ id: run.id, status: 'running', attempts: 2, endedAt: null });
    expect(successor.progress(run.id, 'patients')?.nextPage).toBe(2);
    successor.recordPage(run.id, 'patients', 2, [created('contact', 2)], [], progressAfter(2, 1));
    expect(codeOf(() => journal.recordPage(run.id, 'patients', 3, [], [], progressAfter(3, 1)))).toBe(
      'run_not_running',
    );
    expect(codeOf(() => successor.startRun(start))).toBe('run_in_progress');
    successor.close();
  });

  it('clears the summary an interruption left when the run is taken over, so its accounting is live', () => {
    const { journal, path } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(run.id, 'patients', 1, [created('contact', 1)], [], progressAfter(1, 1));
    expect(journal.interruptOwnRuns()[0]!.summary).not.toBeNull();
    const successor = Journal.open(path, { host: impostor() });
    expect(successor.resume(run.id).summary).toBeNull();
    successor.recordPage(run.id, 'patients', 2, [created('contact', 2)], [], progressAfter(2, 1));
    expect(successor.accounting(run.id).contact?.loaded).toBe(2);
    successor.close();
  });

  it('does not resume a live run, a completed run, or a run of another host without force', () => {
    const { journal, path } = openTemp();
    const run = journal.startRun(start);
    expect(codeOf(() => journal.resume(run.id))).toBe('run_not_resumable');
    const elsewhere: HostView = { host: 'other-host', bootId: null, probe: realHost().probe };
    const remote = Journal.open(path, { host: elsewhere });
    expect(remote.markInterrupted()).toEqual([]);
    expect(codeOf(() => remote.resume(run.id))).toBe('run_not_resumable');
    expect(remote.resume(run.id, { force: true }).owner.host).toBe('other-host');
    remote.finishRun(run.id, 'completed');
    expect(codeOf(() => remote.resume(run.id))).toBe('run_not_resumable');
    expect(codeOf(() => remote.resume(42))).toBe('run_not_found');
    remote.close();
  });

  it('resumes a failed run', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.finishRun(run.id, 'failed');
    expect(journal.resume(run.id).status).toBe('running');
  });
  it('gives a new run the staged images of runs never to be resumed: failed samples and runs of its kind', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const failedRun = (kind: 'run' | 'delta' | 'sample', images: ReturnType<typeof image>[]) => {
      const run = journal.startRun({ ...start, kind });
      journal.images.stage(run.id, images);
      journal.finishRun(run.id, 'failed');
      return run.id;
    };
    const sample = failedRun('sample', [image(1, 'a')]);
    // The failed run took the sample's image of row a when it started, and staged row b.
    const older = failedRun('run', [image(2, 'b')]);
    expect(journal.images.get(older, 'patient', 'a')?.preImage).toEqual({ lastname: 'before run 1' });
    const delta = failedRun('delta', [image(3, 'c')]);
    const next = journal.startRun(start);
    expect(journal.images.get(next.id, 'patient', 'a')?.preImage).toEqual({ lastname: 'before run 1' });
    expect(journal.images.get(next.id, 'patient', 'b')?.preImage).toEqual({ lastname: 'before run 2' });
    // The failed delta is the newest delta: the next delta resumes it, with its images.
    expect(journal.images.get(next.id, 'patient', 'c')).toBeUndefined();
    expect(journal.images.get(delta, 'patient', 'c')).toBeDefined();
    for (const id of [sample, older]) expect(journal.images.get(id, 'patient', 'a')).toBeUndefined();
  });
  it('leaves a new run no image of a row a later run has journaled since, and gives a resumed run those of failed samples', () => {
    const { journal } = openTemp({ now: steppingClock() });
    // A run fails after staging rows a and b; a delta then journals row a with the pre-image it read.
    const failed = journal.startRun(start);
    journal.images.stage(failed.id, [image(1, 'a'), image(1, 'b')]);
    journal.finishRun(failed.id, 'failed');
    deltaWriting(journal, 1, 'a');
    // Row a's old image would take a rollback of the next run back past the delta: it is gone.
    const next = journal.startRun(start);
    expect(journal.images.get(next.id, 'patient', 'a')).toBeUndefined();
    expect(journal.images.get(next.id, 'patient', 'b')?.preImage).toEqual({ lastname: 'before run 1' });
    journal.finishRun(next.id, 'interrupted');
    // Another delta journals row b while the run is interrupted: the run keeps its own image of b, since
    // its unanswered write came first and a rollback of it, after the delta's, must restore what was
    // there before.
    deltaWriting(journal, 2, 'b');
    // A sample fails; the run, resumed, takes the sample's image.
    const sample = journal.startRun({ ...start, kind: 'sample' });
    journal.images.stage(sample.id, [image(3, 'c')]);
    journal.finishRun(sample.id, 'failed');
    const resumed = journal.resume(next.id);
    expect(journal.images.get(resumed.id, 'patient', 'c')?.preImage).toEqual({ lastname: 'before run 3' });
    expect(journal.images.get(resumed.id, 'patient', 'b')?.preImage).toEqual({ lastname: 'before run 1' });
  });
  it('judges an image stale by when another run journaled the row, not by run ids, rollbacks included', () => {
    const { journal } = openTemp({ now: steppingClock() });
    // A delta is interrupted; a run stages row x and fails; the delta, resumed, journals x after that.
    const delta = journal.startRun({ ...start, kind: 'delta' });
    journal.finishRun(delta.id, 'interrupted');
    const failed = journal.startRun(start);
    journal.images.stage(failed.id, [image(2, 'x'), image(2, 'y')]);
    journal.finishRun(failed.id, 'failed');
    journal.resume(delta.id);
    journalRow(journal, delta.id, 'x', 1);
    journal.finishRun(delta.id, 'completed');
    // Another delta journals y and is rolled back: its rollback wrote y after the image, so the image
    // is stale too (a run after it reads y as the rollback left it).
    const undone = journal.startRun({ ...start, kind: 'delta' });
    journalRow(journal, undone.id, 'y', 2);
    journal.finishRun(undone.id, 'completed');
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: undone.id });
    journal.recordBatch(rollback.id, [{ ...created('patient', 2, { key: 'y' }), action: 'delete' }]);
    journal.finishRun(rollback.id, 'completed');
    expect(journal.run(undone.id)?.status).toBe('rolled_back');
    const next = journal.startRun(start);
    expect(journal.images.get(next.id, 'patient', 'x')).toBeUndefined();
    expect(journal.images.get(next.id, 'patient', 'y')).toBeUndefined();
  });
  it('leaves behind an image staged before a rollback wrote its row', () => {
    const { journal } = openTemp({ now: steppingClock() });
    // A run writes x; a sample stages x (what that run wrote) and fails; the run is rolled back.
    const written = journal.startRun(start);
    journalRow(journal, written.id, 'x', 1);
    journal.finishRun(written.id, 'completed');
    const sample = journal.startRun({ ...start, kind: 'sample' });
    journal.images.stage(sample.id, [image(2, 'x')]);
    journal.finishRun(sample.id, 'failed');
    const rollback = journal.startRun({ ...start, kind: 'rollback', parentRun: written.id });
    journal.recordBatch(rollback.id, [{ ...created('patient', 1, { key: 'x' }), action: 'delete' }]);
    journal.finishRun(rollback.id, 'completed');
    // The image holds the rolled-back value: a run taking it would restore that value.
    expect(journal.images.get(journal.startRun(start).id, 'patient', 'x')).toBeUndefined();
  });

  it('keeps an image for a new run when another run only skipped or refused its row since', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const failed = journal.startRun(start);
    journal.images.stage(failed.id, [image(1, 'x'), image(1, 'y')]);
    journal.finishRun(failed.id, 'failed');
    // A delta finds row x gone and Dataverse refuses row y: neither wrote the row.
    const delta = journal.startRun({ ...start, kind: 'delta' });
    journal.recordBatch(delta.id, [
      { ...created('patient', 1, { key: 'x' }), action: 'skip', reason: 'the row is already gone' },
      {
        ...created('patient', 1, { key: 'y', targetId: null }),
        action: 'reject',
        reason: 'Dataverse refused the row',
        error: { code: '0x80040217', message: 'contact With Id = 1 Does Not Exist' },
      },
    ]);
    journal.finishRun(delta.id, 'completed');
    const next = journal.startRun(start);
    for (const key of ['x', 'y'])
      expect(journal.images.get(next.id, 'patient', key)?.preImage, key).toEqual({
        lastname: 'before run 1',
      });
  });
  it('gives a run about to write a row the image another failed run staged of it, not of another row or a row written since', () => {
    const { journal } = openTemp({ now: steppingClock() });
    const delta = journal.startRun({ ...start, kind: 'delta' });
    journal.images.stage(
      delta.id,
      ['a', 'b', 'c', 'd'].map((key) => image(1, key)),
    );
    journal.finishRun(delta.id, 'failed');
    // A sample writes row c after the delta staged it: the delta's image of c is stale.
    const sample = journal.startRun({ ...start, kind: 'sample' });
    journalRow(journal, sample.id, 'c', 1, 'update');
    journal.finishRun(sample.id, 'completed');
    // A run (another kind: it adopts nothing of the delta) staged d itself after the delta did.
    const run = journal.startRun(start);
    expect(journal.images.get(run.id, 'patient', 'a')).toBeUndefined();
    journal.images.stage(run.id, [{ ...image(2, 'd'), targetId: guid(1) }]);
    const rows = [
      { mapping: 'patient', key: 'a', targetId: guid(1).toUpperCase() },
      { mapping: 'patient', key: 'b', targetId: guid(2) },
      { mapping: 'patient', key: 'c', targetId: guid(1) },
      { mapping: 'patient', key: 'd', targetId: guid(1) },
    ];
    expect(journal.images.take(run.id, rows)).toBe(2);
    // Row a moves to the run; the delta's earlier image of d replaces the run's own, which was read
    // after the delta's write may have reached the row.
    for (const key of ['a', 'd']) {
      expect(journal.images.get(run.id, 'patient', key)?.preImage, key).toEqual({ lastname: 'before run 1' });
      expect(journal.images.get(delta.id, 'patient', key), key).toBeUndefined();
    }
    // Row b's image is of another row (another id); row c's is stale: both stay with the delta.
    for (const key of ['b', 'c']) {
      expect(journal.images.get(run.id, 'patient', key), key).toBeUndefined();
      expect(journal.images.get(delta.id, 'patient', key), key).toBeDefined();
    }
  });
  it('does not count a run journaling its own row in the same millisecond as staging it again', () => {
    const { journal } = openTemp({ now: () => new Date(Date.UTC(2025, 0, 1)) });
    const failed = journal.startRun(start);
    journal.images.stage(failed.id, [image(1, 'x')]);
    journalRow(journal, failed.id, 'x', 1);
    journal.images.stage(failed.id, [image(2, 'x')]);
    journal.finishRun(failed.id, 'failed');
    const next = journal.startRun(start);
    expect(journal.images.get(next.id, 'patient', 'x')?.preImage).toEqual({ lastname: 'before run 2' });
  });
  it('tells a row closed since it was last written by the order operations were journaled, not by run ids', () => {
    const { journal } = openTemp({ now: steppingClock() });
    // Delta 1 stops; run 2 writes x; delta 1, resumed, closes x after that write.
    const delta = journal.startRun({ ...start, kind: 'delta' });
    journal.finishRun(delta.id, 'interrupted');
    const run = journal.startRun(start);
    journalRow(journal, run.id, 'x', 1, 'update');
    journal.finishRun(run.id, 'completed');
    expect(journal.closedSinceWritten('patient', 'x')).toBe(false);
    journal.resume(delta.id);
    journalRow(journal, delta.id, 'x', 1, 'deactivate');
    journal.finishRun(delta.id, 'completed');
    expect(journal.closedSinceWritten('patient', 'x')).toBe(true);
  });
});
