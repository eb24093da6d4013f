import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/*
 * Every path option is taken relative to the directory the command runs in (the CLI's io.cwd, the
 * process's working directory for a user), whatever reads it: --spec, --journal, --archive-dir (and
 * the spec's archive.dir), --out, --reconciled; and an absolute one as it is.
 */

/** Files under `dir`, recursively, relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('relative paths of the loading and reporting commands', () => {
  let sb: Sandboxes;
  // A project folder other than this process's working directory: the spec and generated code, with
  // the runtime that generated/transformer.ts imports by relative path.
  let project: string;
  beforeAll(async () => {
    sb = await sandboxes({ scale: 0.03 });
    project = tempDir('flitstack-relative-');
    cpSync(join(ROOT, 'spec'), join(project, 'spec'), { recursive: true });
    cpSync(join(ROOT, 'generated'), join(project, 'generated'), { recursive: true });
    symlinkSync(join(ROOT, 'runtime'), join(project, 'runtime'));
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(project, { recursive: true, force: true });
  });

  it('are read and written in the directory the command runs in', async () => {
    const name = `archive-relative-${process.pid}`;
    const cli = async (...args: string[]) => {
      const io = bufferIo(project, { ...process.env, ...sb.env });
      const code = await run(['node', 'flitstack', ...args], io);
      return { code, out: io.stdout(), err: io.stderr() };
    };
    try {
      expect((await cli('schema', 'apply', '--spec', 'spec')).code).toBe(0);
      const loading = ['--spec', 'spec', '--journal', 'j/journal.db', '--rate', '1000'];
      const first = await cli('run', ...loading, '--archive-dir', name);
      expect(first.code, first.err).toBe(0);
      // Training logs are archived, grouped by staff member.
      expect(filesUnder(join(project, name)).some((f) => f.startsWith('training/'))).toBe(true);
      expect(existsSync(join(ROOT, name))).toBe(false);
      const reconcile = await cli(
        'reconcile',
        '--spec',
        'spec',
        '--journal',
        'j/journal.db',
        '--rate',
        '1000',
        '--out',
        'r',
      );
      expect(reconcile.code, reconcile.err).toBe(0);
      expect(filesUnder(join(project, 'r')).sort()).toEqual(['reconcile.json', 'reconcile.md']);
      const rewrite = await cli('run', ...loading, '--rewrite', '--reconciled', 'r/reconcile.json');
      expect(rewrite.code, rewrite.err).toBe(0);
      // The spec's archive.dir (.flitstack/archive) is relative to the same directory.
      expect(existsSync(join(project, '.flitstack', 'archive'))).toBe(true);
      const log = await cli('log', '--run', '1', '--journal', 'j/journal.db', '--out', 'run-1.csv');
      expect(log.code, log.err).toBe(0);
      expect(existsSync(join(project, 'run-1.csv'))).toBe(true);
    } finally {
      rmSync(join(ROOT, name), { recursive: true, force: true });
    }
  }, 120_000);
});

describe('flitstack sandbox --spec', () => {
  it('takes an absolute spec directory as it is', async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/flitstack.js'), 'sandbox', '--spec', join(ROOT, 'spec')],
      { cwd: tempDir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('AZURE_AUTHORITY_HOST')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    child.kill('SIGINT');
    expect(started, err).toBe(true);
    expect(await exited).toBe(0);
    expect(err).not.toMatch(/warning|error/);
  }, 30_000);
});
