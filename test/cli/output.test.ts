import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { UNREACHABLE_ENV } from '../support/net.ts';
import { copyOfShippedSpec, ROOT, tempDir } from '../support/tmp.ts';

async function flitstack(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const io = bufferIo(cwd, env);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A file where the commands expect a directory, like `--out README.md`. */
function aFile(): string {
  const path = join(tempDir(), 'README.md');
  writeFileSync(path, '# readme\n');
  return path;
}

const refusal = (value: string, why: string) =>
  `error: --out ${value}: ${why}; pass a directory this user can write (created if missing)\n`;

describe('an output location that cannot be written is refused before the work starts (exit 2)', () => {
  // No environment: a command that got past its --out check would stop at the missing variables.
  it('reconcile, audit and sample --out naming a file', async () => {
    const journal = join(tempDir(), 'journal.db');
    Journal.open(journal).close();
    const file = aFile();
    for (const args of [
      ['reconcile', '--journal', journal, '--out', file],
      ['audit', '--out', file],
      ['sample', '--journal', journal, '--out', file],
    ]) {
      const result = await flitstack(ROOT, {}, ...args);
      expect([args[0], result.code, result.err]).toEqual([
        args[0],
        2,
        refusal(file, `${file} is a file, not a directory`),
      ]);
    }
    expect(readFileSync(file, 'utf8')).toBe('# readme\n');
  });

  it('reconcile and sample --out under /proc, where nothing can be created, without hanging', async () => {
    const journal = join(tempDir(), 'journal.db');
    Journal.open(journal).close();
    for (const command of ['reconcile', 'sample']) {
      const result = await flitstack(ROOT, {}, command, '--journal', journal, '--out', '/proc/flitstack-out');
      expect(result.code, command).toBe(2);
      expect(result.err, command).toContain('error: --out /proc/flitstack-out: ');
    }
  }, 10_000);

  it('reconcile --out whose report name is taken by a directory', async () => {
    const journal = join(tempDir(), 'journal.db');
    Journal.open(journal).close();
    const out = tempDir();
    mkdirSync(join(out, 'reconcile.json'));
    const result = await flitstack(ROOT, {}, 'reconcile', '--journal', journal, '--out', out);
    expect(result.code).toBe(2);
    expect(result.err).toBe(refusal(out, `${join(out, 'reconcile.json')} is a directory, not a file`));
  });

  it('compile --out naming a file, or a directory whose generated/ is a file: nothing written', async () => {
    const dir = copyOfShippedSpec();
    const file = aFile();
    const result = await flitstack(dir, {}, 'compile', '--out', file);
    expect([result.code, result.out, result.err]).toEqual([
      2,
      '',
      refusal(file, `${file} is a file, not a directory`),
    ]);
    writeFileSync(join(dir, 'generated'), '');
    const blocked = await flitstack(dir, {}, 'compile', '--out', dir);
    expect([blocked.code, blocked.out, blocked.err]).toEqual([
      2,
      '',
      refusal(dir, `${join(dir, 'generated')} is a file, not a directory`),
    ]);
    expect(
      readdirSync(dir)
        .filter((f) => f !== '.flitstack')
        .sort(),
    ).toEqual(['generated', 'spec']);
  });

  it('run --journal below a file', async () => {
    const file = aFile();
    const result = await flitstack(ROOT, UNREACHABLE_ENV, 'run', '--journal', join(file, 'x.db'));
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      `error: cannot create the journal ${file}/x.db: ${file} is a file, not a directory\n  hint: pass with --journal a path in a directory this user can write\n`,
    );
    expect(existsSync(`${file}/x.db`)).toBe(false);
  });
});
