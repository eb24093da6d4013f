import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { copyOfShippedSpec, ROOT } from '../support/tmp.ts';

async function flitstack(cwd: string, ...args: string[]) {
  const io = bufferIo(cwd);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('flitstack compile', () => {
  it('--check exits 0 on main: the committed generated/ is what the shipped spec compiles to', async () => {
    const result = await flitstack(ROOT, 'compile', '--check');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });

  it('--check exits 1 after a label is edited, naming the stale file, and writes nothing', async () => {
    const dir = copyOfShippedSpec();
    cpSync(join(ROOT, 'generated'), join(dir, 'generated'), { recursive: true });
    const plan = readFileSync(join(dir, 'generated/schema-plan.md'), 'utf8');
    const file = join(dir, 'spec/objects/insurance.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('label: Insurance carrier', 'label: Insurer'));
    const check = await flitstack(dir, 'compile', '--check');
    expect(check.code).toBe(1);
    expect(check.err).toContain('stale: generated/schema-plan.md');
    expect(check.err).toContain('stale: generated/schema-plan.json');
    expect(check.err).not.toContain('stale: generated/transformer.ts');
    expect(readFileSync(join(dir, 'generated/schema-plan.md'), 'utf8')).toBe(plan);
    const write = await flitstack(dir, 'compile');
    expect(write.code).toBe(0);
    expect(write.out).toContain('wrote generated/schema-plan.md');
    expect(readFileSync(join(dir, 'generated/schema-plan.md'), 'utf8')).toContain(
      '**Insurer** `fs_insurancecarrier`',
    );
    expect((await flitstack(dir, 'compile', '--check')).code).toBe(0);
  });

  it('exits 1 with the diagnostics when the spec has errors, and writes nothing', async () => {
    const dir = copyOfShippedSpec();
    const file = join(dir, 'spec/objects/patient.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('from: first_name', 'from: frist_name'));
    mkdirSync(join(dir, 'generated'));
    const result = await flitstack(dir, 'compile');
    expect(result.code).toBe(1);
    expect(result.err).toContain("error FS102: unknown source field 'frist_name'");
    expect(result.err).toContain('compile: nothing written');
  });
});
