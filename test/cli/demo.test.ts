import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

async function demo(...args: string[]) {
  const io = bufferIo(ROOT, { ...process.env });
  const code = await run(['node', 'flitstack', 'demo', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A directory as an earlier demo leaves it: its marker, a journal with one run, an archive. */
function earlierDemoDir(): string {
  const dir = join(tempDir(), 'demo');
  mkdirSync(join(dir, 'archive'), { recursive: true });
  writeFileSync(join(dir, '.flitstack-demo'), 'flitstack demo\n');
  writeFileSync(join(dir, 'archive', 'old.json.gz'), 'old');
  const journal = Journal.open(join(dir, 'journal.db'));
  journal.finishRun(journal.startRun({ kind: 'run', specHash: 's', codeHash: 'c' }).id, 'completed');
  journal.close();
  return dir;
}

describe('flitstack demo --dir', () => {
  it('refuses a directory it did not make, and a file, leaving them as they were (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    // Valid options otherwise: the refusal is the directory's alone.
    const foreign = await demo('--dir', dir, '--scale', '0.05', '--rate', '1000');
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain(
      `--dir ${dir}: ${dir} already holds files and was not made by flitstack demo`,
    );
    expect(foreign.err).toContain('choose another --dir, or remove that directory yourself');
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    const file = join(dir, 'notes.txt');
    const onFile = await demo('--dir', file, '--scale', '0.05', '--rate', '1000');
    expect(onFile.code).toBe(2);
    expect(onFile.err).toContain(`${file} is a file, not a directory; choose another --dir`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('checks its options before touching the directory, even one an earlier demo made', async () => {
    const dir = earlierDemoDir();
    const before = readdirSync(dir).sort();
    for (const bad of [
      ['--scale', 'abc'],
      ['--seed', '-1'],
      ['--rate', '0'],
      ['--faults', 'boom=1'],
    ]) {
      const result = await demo('--dir', dir, ...bad);
      expect(result.code, bad.join(' ')).toBe(2);
      expect(result.err, bad.join(' ')).toContain(bad[0]);
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(existsSync(join(dir, 'archive', 'old.json.gz'))).toBe(true);
    }
  });

  it("reuses an earlier demo's directory: its journal and archive are replaced, other files kept", async () => {
    const dir = earlierDemoDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = await demo('--dir', dir, '--scale', '0.05', '--rate', '1000');
    expect(result.err).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`audit log: npx flitstack log --journal ${join(dir, 'journal.db')} --run 1`);
    const journal = Journal.open(join(dir, 'journal.db'), { readonly: true });
    try {
      // The earlier demo's run is gone: the journal holds this demo's run alone.
      expect(journal.runs().map((r) => [r.id, r.status])).toEqual([[1, 'completed']]);
    } finally {
      journal.close();
    }
    expect(existsSync(join(dir, 'archive', 'old.json.gz'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, '.flitstack-demo'))).toBe(true);
  }, 120_000);

  it('creates a missing directory and marks it as its own', async () => {
    const dir = join(tempDir(), 'a', 'b');
    // A bad spec stops the demo after the directory is ready and before the run.
    const result = await demo('--dir', dir, '--scale', '0.05', '--spec', join(dir, '..', 'no-spec'));
    expect(result.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['.flitstack-demo']);
  });

  it('takes a directory that holds only what a demo writes, from before demos marked theirs', async () => {
    const dir = earlierDemoDir();
    rmSync(join(dir, '.flitstack-demo'));
    const result = await demo('--dir', dir, '--scale', '0.05', '--spec', join(dir, 'no-spec'));
    expect(result.err).not.toContain('was not made by flitstack demo');
    expect(readdirSync(dir)).toEqual(['.flitstack-demo']);
  });

  it('says it stopped, pointing at no journal, when the run refuses to start', async () => {
    const project = tempDir();
    for (const part of ['spec', 'generated'])
      cpSync(join(ROOT, part), join(project, part), { recursive: true });
    // generated/transformer.ts imports the runtime from ../runtime.
    symlinkSync(join(ROOT, 'runtime'), join(project, 'runtime'));
    // Edited after it was confirmed: the run refuses to load it.
    appendFileSync(join(project, 'spec/objects/clinic.yaml'), '# edited after review\n');
    const io = bufferIo(project, { ...process.env });
    const dir = join(project, 'demo');
    const code = await run(['node', 'flitstack', 'demo', '--dir', dir, '--scale', '0.05'], io);
    expect(io.stderr()).toContain('refusing to load: the spec changed since it was confirmed');
    expect(code).toBe(1);
    expect(io.stderr()).toContain('demo stopped after');
    expect(io.stdout()).not.toContain('audit log');
    expect(existsSync(join(dir, 'journal.db'))).toBe(false);
  }, 60_000);
});
