import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal, LOG_COLUMNS, writeLog } from '../../runtime/journal/index.ts';
import { created, guid, parseCsv, progressAfter } from '../runtime/journal/helpers.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

async function log(...args: string[]) {
  const io = bufferIo(ROOT);
  const code = await run(['node', 'flitstack', 'log', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const PATIENT_VALUE = 'Okonkwo-Pre-Image';

/** Run 1: a created patient, an update of an existing one (pre-image with a name), a rejected record. */
function journalWithLog(): string {
  const path = join(tempDir(), 'journal.db');
  const journal = Journal.open(path);
  const first = journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' });
  journal.recordPage(
    first.id,
    'patients',
    1,
    [
      created('patient', 1),
      { ...created('patient', 2), action: 'update', preImage: { lastname: PATIENT_VALUE } },
      { mapping: 'patient', sourceId: '3', action: 'reject', reason: 'birthdate: before 1753, "a,b"' },
    ],
    [],
    { ...progressAfter(1, 3, 1), totalEntries: 3 },
  );
  journal.finishRun(first.id, 'completed');
  journal.close();
  return path;
}

describe('flitstack log', () => {
  it('writes every operation as CSV in load order, without pre-images', async () => {
    const path = journalWithLog();
    const result = await log('--run', '1', '--journal', path);
    expect(result.code).toBe(0);
    expect(result.out).not.toContain(PATIENT_VALUE);
    const rows = parseCsv(result.out);
    expect(rows[0]).toEqual([...LOG_COLUMNS]);
    const record = (i: number) => Object.fromEntries(LOG_COLUMNS.map((c, j) => [c, rows[i]![j]]));
    expect(rows).toHaveLength(4);
    expect(record(1)).toMatchObject({
      id: '1',
      run_id: '1',
      action: 'create',
      target_id: guid(1),
      has_pre_image: 'false',
    });
    expect(record(2)).toMatchObject({
      action: 'update',
      source_id: '2',
      row_key: 'ph-2',
      has_pre_image: 'true',
    });
    expect(record(3)).toMatchObject({ action: 'reject', reason: 'birthdate: before 1753, "a,b"', page: '1' });
  });

  it('adds the pre-images only when asked, and filters by action', async () => {
    const path = journalWithLog();
    const result = await log(
      '--run',
      '1',
      '--journal',
      path,
      '--with-pre-images',
      '--format',
      'json',
      '--action',
      'update,reject',
    );
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.out) as Record<string, unknown>[];
    expect(entries.map((e) => [e.action, e.pre_image])).toEqual([
      ['update', { lastname: PATIENT_VALUE }],
      ['reject', null],
    ]);
    const csv = parseCsv((await log('--run', '1', '--journal', path, '--with-pre-images')).out);
    expect(csv[0]!.at(-1)).toBe('pre_image');
    expect(csv[2]!.at(-1)).toBe(JSON.stringify({ lastname: PATIENT_VALUE }));
  });

  it('writes to a file readable by its owner only', async () => {
    const path = journalWithLog();
    const out = join(tempDir(), 'run-1.json');
    const result = await log('--run', '1', '--journal', path, '--format', 'json', '--out', out);
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe(`3 operations of run 1 written to ${out}\n`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length).toBe(3);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('makes an existing --out file readable by its owner only before writing pre-images into it', async () => {
    const path = journalWithLog();
    const out = join(tempDir(), 'run-1.csv');
    writeFileSync(out, 'an older export, longer than the new one '.repeat(100));
    chmodSync(out, 0o644);
    const result = await log('--run', '1', '--journal', path, '--with-pre-images', '--out', out);
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(PATIENT_VALUE);
    expect(text).not.toContain('an older export');
  });

  it('refuses an unknown run, an unknown action, a missing journal (exit 2)', async () => {
    const path = journalWithLog();
    expect(await log('--run', '7', '--journal', path)).toMatchObject({
      code: 2,
      err: 'error: run 7 is not in the journal; `flitstack runs` lists the runs it holds\n',
    });
    const bad = await log('--run', '1', '--journal', path, '--action', 'create,erase');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--action: unknown action erase');
    for (const none of ['', ' , '])
      expect(await log('--run', '1', '--journal', path, '--action', none), `'${none}'`).toMatchObject({
        code: 2,
        out: '',
        err: expect.stringMatching(
          /^error: --action needs actions, comma-separated, e\.g\. --action reject,skip \(one of create, /,
        ),
      });
    const trailing = await log('--run', '1', '--journal', path, '--action', 'reject,', '--format', 'json');
    expect(trailing.code).toBe(0);
    expect((JSON.parse(trailing.out) as { action: string }[]).map((e) => e.action)).toEqual(['reject']);
    expect((await log('--run', 'one', '--journal', path)).err).toBe(
      "error: --run must be a positive whole number, got 'one'\n",
    );
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'mine');
    const below = await log('--run', '1', '--journal', path, '--out', join(file, 'run-1.csv'));
    expect(below).toMatchObject({
      code: 2,
      err: `error: --out ${join(file, 'run-1.csv')}: cannot write it: ${file} is a file, not a directory; pass a file this user can write\n`,
    });
    const missing = join(tempDir(), 'nodir');
    expect(await log('--run', '1', '--journal', path, '--out', join(missing, 'run-1.csv'))).toMatchObject({
      code: 2,
      err: `error: --out ${join(missing, 'run-1.csv')}: cannot write it: ${missing} does not exist; pass a file this user can write\n`,
    });
  });

  it('leaves an existing --out file as it was, and creates none, when the run is not in the journal', async () => {
    const path = journalWithLog();
    const out = join(tempDir(), 'run-1.csv');
    writeFileSync(out, 'the export of run 1, made before');
    const result = await log('--run', '2', '--journal', path, '--out', out);
    expect(result.code).toBe(2);
    expect(result.err).toContain('run 2 is not in the journal');
    expect(readFileSync(out, 'utf8')).toBe('the export of run 1, made before');
    const fresh = join(tempDir(), 'run-2.csv');
    expect((await log('--run', '2', '--journal', path, '--out', fresh)).code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  it('streams: the log reaches the writer in pieces of about 64 KiB, never as one string', async () => {
    const ops = Array.from({ length: 5000 }, (_, i) => ({
      id: i + 1,
      runId: 1,
      resource: 'patients',
      page: 1,
      mapping: 'patient',
      sourceId: String(i),
      key: `patient-${i}`,
      table: 'contact',
      action: 'update' as const,
      targetId: guid(i),
      reason: null,
      error: null,
      flags: [],
      preImage: { lastname: `Name ${i}` },
      undoes: null,
      awaits: null,
      payloadHash: 'h',
      at: '2026-03-01T09:00:00.000Z',
    }));
    const chunks: number[] = [];
    const count = await writeLog(
      ops,
      'csv',
      (chunk) => {
        chunks.push(chunk.length);
      },
      { withPreImages: true },
    );
    expect(count).toBe(5000);
    expect(chunks.length).toBeGreaterThan(5);
    // Pieces of about 64 KiB: none much larger, none but the last much smaller.
    expect(Math.max(...chunks)).toBeLessThan(64 * 1024 + 1024);
    expect(Math.min(...chunks.slice(0, -1))).toBeGreaterThan(60 * 1024);
  });
});
