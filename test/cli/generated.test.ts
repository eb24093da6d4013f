import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { UNREACHABLE_ENV } from '../support/net.ts';
import { copyOfShippedSpec, tempDir } from '../support/tmp.ts';

const ENV = UNREACHABLE_ENV;

async function flitstack(cwd: string, ...args: string[]) {
  const io = bufferIo(cwd, ENV);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('generated code that cannot be loaded', () => {
  it('outside the FlitStack checkout: run, sample, delta, reconcile and rollback exit 2 with the same hint', async () => {
    const dir = copyOfShippedSpec();
    expect((await flitstack(dir, 'compile')).code).toBe(0);
    const journal = join(tempDir(), 'journal.db');
    Journal.open(journal).close();
    const out = tempDir();
    for (const args of [
      ['run', '--journal', journal],
      ['sample', '--journal', journal, '--out', out],
      ['delta', '--journal', journal],
      ['reconcile', '--journal', journal, '--out', out],
      ['rollback', '--run', '1', '--journal', journal],
    ]) {
      const result = await flitstack(dir, ...args);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.err).toMatch(
        new RegExp(`^error: cannot load ${join(dir, 'generated', 'transformer.ts')}: Build failed`),
      );
      expect(result.err).toContain('Could not resolve "../runtime/mapping/index.ts"');
      expect(result.err).toMatch(
        /\n {2}hint: generated\/transformer\.ts imports the FlitStack runtime from \.\.\/runtime\/: keep spec\/ and generated\/ in the FlitStack checkout and run flitstack there\n$/,
      );
    }
  });
});
