import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.2 });
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code, applied.err).toBe(0);
}, 60_000);

afterAll(async () => {
  await sb?.close();
});

/**
 * The CLI as its own process (the built bundle when it is fresh: `npm run build`), sent SIGINT once
 * its progress output (stderr) shows `after`: mid-command, whatever the speed of the machine.
 */
function interrupted(args: readonly string[], after: string, cwd = ROOT) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/flitstack.js'), ...args], {
    cwd,
    env: { ...process.env, ...sb.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    if (!sent && err.includes(after)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  return new Promise<{ code: number | null; signal: string | null; err: string; out: string; sent: boolean }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, err, out, sent })),
  );
}

/** The last line of a command's stderr. */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

describe('Ctrl-C (SIGINT) during a command', () => {
  it('stops a run with exit 130, marks the run interrupted and says how to continue or undo it', async () => {
    const journal = join(tempDir(), 'journal.db');
    const res = await interrupted(
      ['run', '--journal', journal, '--archive-dir', join(tempDir(), 'archive'), '--rate', '50'],
      '\nappointments: ',
    );
    expect(res.sent, `ended before it was interrupted; stderr ends: ${res.err.slice(-2000)}`).toBe(true);
    expect(res.code).toBe(130);
    const db = Journal.open(journal, { readonly: true });
    const run = db.runs().at(-1)!;
    db.close();
    expect(run.status).toBe('interrupted');
    const loaded = Object.values(run.summary ?? {}).reduce((n, c) => n + c.loaded, 0);
    expect(loaded).toBeGreaterThan(0);
    expect(lastLine(res.err)).toBe(
      `interrupted: run ${run.id} is marked interrupted in ${journal} after writing ${loaded} rows (the rows of its last batch may be in Dataverse without being in the journal); run the same command again to continue it where it stopped, or \`flitstack rollback --run ${run.id} --force\` to remove what it wrote`,
    );
    expect(res.err).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('stops a sample, saying the report was not written and how to remove its rows', async () => {
    const dir = tempDir();
    const journal = join(dir, 'journal.db');
    const res = await interrupted(
      [
        'sample',
        '--journal',
        journal,
        '--out',
        join(dir, 'out'),
        '--archive-dir',
        join(dir, 'archive'),
        '--rate',
        '50',
      ],
      '\npatients: ',
    );
    expect(res.sent, `ended before it was interrupted; stderr ends: ${res.err.slice(-2000)}`).toBe(true);
    expect(res.code).toBe(130);
    const db = Journal.open(journal, { readonly: true });
    const run = db.runs().at(-1)!;
    db.close();
    expect(run).toMatchObject({ kind: 'sample', status: 'interrupted' });
    expect(lastLine(res.err)).toMatch(
      new RegExp(
        `^interrupted: sample ${run.id} is marked interrupted in .* after writing \\d+ rows? .*; \`flitstack rollback --run ${run.id} --force\` removes what it loaded; run \`flitstack sample\` again for a new sample \\(no report was written\\)$`,
      ),
    );
  }, 120_000);

  it('stops an audit with exit 130, saying nothing was written', async () => {
    const res = await interrupted(['audit', '--out', join(tempDir(), 'audit')], 'audit: ');
    expect(res.sent, `ended before it was interrupted; stderr ends: ${res.err.slice(-2000)}`).toBe(true);
    expect(res.code).toBe(130);
    expect(lastLine(res.err)).toBe(
      'interrupted: the audit stopped before writing its report (it writes nothing to PracticeHub or Dataverse); run `flitstack audit` again',
    );
  }, 60_000);
});
