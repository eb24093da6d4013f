import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal, realHost } from '../../runtime/journal/index.ts';
import { created, progressAfter, steppingClock } from '../runtime/journal/helpers.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

async function runs(...args: string[]) {
  const io = bufferIo(ROOT);
  const code = await run(['node', 'flitstack', 'runs', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SPEC = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/**
 * A journal with a completed run (3 patients extracted: 2 loaded, 1 rejected), a delta based on it
 * that one process still runs, and a run whose process died on an earlier boot without finishing.
 */
function journalWithRuns(): string {
  const path = join(tempDir(), 'journal.db');
  const journal = Journal.open(path, { now: steppingClock(Date.UTC(2026, 2, 1, 9, 0, 0)) });
  const first = journal.startRun({ kind: 'run', specHash: SPEC, codeHash: 'c' });
  journal.recordPage(
    first.id,
    'patients',
    1,
    [
      created('patient', 1),
      created('patient', 2),
      { mapping: 'patient', sourceId: '3', action: 'reject', reason: 'lastname: required' },
    ],
    [],
    { ...progressAfter(1, 3, 1), totalEntries: 3 },
  );
  journal.finishRun(first.id, 'completed');
  const delta = journal.startRun({ kind: 'delta', specHash: SPEC, codeHash: 'c', parentRun: first.id });
  journal.recordPage(delta.id, 'patients', 1, [{ ...created('patient', 4) }], [], {
    ...progressAfter(1, 1, 1),
    totalEntries: 1,
  });
  journal.finishRun(delta.id, 'interrupted');
  journal.close();
  // A run left running by a process of an earlier boot: its process is gone.
  const stale = Journal.open(path, { host: { ...realHost(), bootId: 'an-earlier-boot' } });
  stale.startRun({ kind: 'run', specHash: SPEC, codeHash: 'c' });
  stale.close();
  return path;
}

describe('flitstack runs', () => {
  it('lists every run with kind, status, times, parent, short spec hash and accounting totals', async () => {
    const path = journalWithRuns();
    const text = await runs('--journal', path);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]!.split(/\s{2,}/)).toEqual([
      'run',
      'kind',
      'status',
      'started (UTC)',
      'ended (UTC)',
      'parent',
      'spec',
      'extracted',
      'loaded',
      'rejected',
      'skipped',
    ]);
    expect(lines[1]!.trim().split(/\s{2,}/)).toEqual([
      '1',
      'run',
      'completed',
      '2026-03-01 09:00:00',
      '2026-03-01 09:00:02',
      '-',
      'a1b2c3d4e5f6',
      '3',
      '2',
      '1',
      '0',
    ]);
    expect(lines[2]!.trim().split(/\s{2,}/)).toEqual([
      '2',
      'delta',
      'interrupted',
      '2026-03-01 09:00:04',
      '2026-03-01 09:00:06',
      '1',
      'a1b2c3d4e5f6',
      '1',
      '1',
      '0',
      '0',
    ]);
    expect(lines[3]).toMatch(
      /^\s*3\s+run\s+running \(process gone\)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+-\s+-\s+a1b2c3d4e5f6\s+0\s+0\s+0\s+0$/,
    );
  });

  it('gives the same in JSON, without writing to the journal', async () => {
    const path = journalWithRuns();
    const json = await runs('--journal', path, '--format', 'json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.out).runs;
    expect(
      listed.map((r: Record<string, unknown>) => [r.id, r.kind, r.status, r.processGone, r.parentRun]),
    ).toEqual([
      [1, 'run', 'completed', false, null],
      [2, 'delta', 'interrupted', false, 1],
      [3, 'run', 'running', true, null],
    ]);
    expect(listed[0]).toMatchObject({
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T09:00:02.000Z',
      specHash: SPEC,
      attempts: 1,
      extracted: 3,
      loaded: 2,
      rejected: 1,
      skipped: 0,
    });
    const journal = Journal.open(path, { readonly: true });
    expect(journal.run(3)!.status).toBe('running');
    journal.close();
  });

  it('says so when the journal is not there (exit 2)', async () => {
    const missing = join(tempDir(), 'none.db');
    const result = await runs('--journal', missing);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`error: no journal at ${missing} (pass the file the run used with --journal)\n`);
  });
});
