import {
  appendFileSync,
  cpSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { checkedSpec } from '../../cli/migration.ts';
import { checkConfirmed } from '../../runtime/confirm/index.ts';
import { copyOfShippedSpec, ROOT } from '../support/tmp.ts';

/**
 * A project of its own: the shipped spec and generated code copied (generated code names its spec
 * files by their path, so the copy keeps the layout), the runtime linked. Returns its spec directory.
 */
function project(): string {
  const dir = copyOfShippedSpec();
  cpSync(join(ROOT, 'generated'), join(dir, 'generated'), { recursive: true });
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'runtime'), 'dir');
  return join(dir, 'spec');
}

/** `flitstack run` in the project holding `spec`, with no service in reach: a refusal comes first. */
async function runWith(spec: string) {
  const io = bufferIo(join(spec, '..'), { PATH: process.env.PATH });
  const code = await run(['node', 'flitstack', 'run'], io);
  return { code, err: io.stderr() };
}

describe('the confirmation gate of flitstack run', () => {
  it('holds for the shipped spec: spec/flitstack.lock matches spec/ and generated/', () => {
    expect(checkConfirmed(join(ROOT, 'spec'), join(ROOT, 'generated'))).toEqual({ ok: true });
  });

  it('refuses, naming the file, when the spec changed since it was confirmed', async () => {
    const spec = project();
    // A comment: the generated code stays the same, so only the confirmation can tell.
    appendFileSync(join(spec, 'objects', 'payment.yaml'), '# reviewed by nobody\n');
    const result = await runWith(spec);
    expect(result.code).toBe(1);
    expect(result.err).toContain('refusing to load: the spec changed since it was confirmed');
    expect(result.err).toContain('modified: objects/payment.yaml');
  });

  it('refuses while a proposed line is not reviewed', async () => {
    const spec = project();
    const file = join(spec, 'objects', 'patient.yaml');
    const text = readFileSync(file, 'utf8').replace(
      '  - { to: salutation, from: title, transform: [strip_control, trim, truncate] }\n',
      '  - to: salutation\n    from: title\n    transform: [strip_control, trim, truncate]\n    proposed: { reason: same meaning as contact.salutation, confidence: 0.8 }\n',
    );
    writeFileSync(file, text);
    const result = await runWith(spec);
    expect(result.code).toBe(1);
    expect(result.err).toContain('refusing to load: the spec holds proposed lines not yet reviewed');
  });

  it('refuses a spec never confirmed', async () => {
    const spec = project();
    rmSync(join(spec, 'flitstack.lock'));
    const result = await runWith(spec);
    expect(result.code).toBe(1);
    expect(result.err).toContain('refusing to load: the spec has not been confirmed');
    expect(result.err).toContain('flitstack confirm');
  });

  it('refuses a lock left with a merge conflict or from another release, saying so and what to do', async () => {
    const spec = project();
    const lock = join(spec, 'flitstack.lock');
    const text = readFileSync(lock, 'utf8');
    const [head, ...rest] = text.split('\n');
    writeFileSync(lock, [head, '<<<<<<< HEAD', ...rest.slice(0, 3), '=======', ...rest].join('\n'));
    const conflict = await runWith(spec);
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain(
      'refusing to load: spec/flitstack.lock cannot be read: line 2 holds a merge conflict marker (<<<<<<<): two branches each confirmed their spec.',
    );
    expect(conflict.err).toContain('do not merge the lock by hand');
    writeFileSync(lock, text.replace('"version": 1', '"version": 2'));
    const newer = await runWith(spec);
    expect(newer.code).toBe(1);
    expect(newer.err).toContain(
      'cannot be read: it is a version 2 lock, written by another flitstack release (this one reads version 1).',
    );
    expect(newer.err).not.toContain('has not been confirmed');
  });
});

describe('the compile check of a run, remembered per build and spec', () => {
  it('is remembered, and never hides generated code changed by hand', async () => {
    const spec = project();
    const root = join(spec, '..');
    const io = bufferIo(root, { PATH: process.env.PATH });
    const first = await checkedSpec('spec', io, root, 'build-under-test');
    expect(typeof first).toBe('object');
    const entries = readdirSync(join(root, '.flitstack', 'cache', 'compiled'));
    expect(entries).toHaveLength(1);
    // Dated in the past: a second check that compiled again would write the entry anew.
    const entry = join(root, '.flitstack', 'cache', 'compiled', entries[0]!);
    utimesSync(entry, 1_000_000, 1_000_000);
    const again = await checkedSpec('spec', io, root, 'build-under-test');
    expect(typeof again === 'object' && again.codeHash).toBe(typeof first === 'object' && first.codeHash);
    expect(statSync(entry).mtimeMs).toBe(1_000_000_000);
    appendFileSync(join(root, 'generated', 'transformer.ts'), '// edited by hand\n');
    // Refused as spec errors are: exit 1, like confirm's refusal of stale code.
    expect(await checkedSpec('spec', io, root, 'build-under-test')).toBe(1);
    expect(io.stderr()).toContain(
      'refused: generated/ does not match the spec (generated/transformer.ts): run `npx flitstack compile` first',
    );
  });
});
